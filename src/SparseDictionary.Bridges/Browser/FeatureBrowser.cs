using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges.Features;
using SparseDictionary.Features;
using SparseDictionary.Llama.Corpus;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges.Browser;

/// <summary>
/// Builds the static feature browser of an SAE: one streaming pass of the model over held-out text for the per-latent
/// statistics (<see cref="FeatureCollector"/>), the logit effects of every decoder direction (<see cref="LogitEffects"/>),
/// then the site (<see cref="FeatureSiteWriter"/>). <c>sdict browse</c> and the seed experiment call this.
/// </summary>
public static class FeatureBrowser
{
    /// <summary>Writes the browser of <paramref name="sae"/> at <paramref name="hook"/> into <paramref name="outputFolder"/>.</summary>
    /// <param name="model">The language model; only read.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="sae">The SAE.</param>
    /// <param name="hook">Where the SAE reads the model.</param>
    /// <param name="heldOut">The held-out text the examples come from.</param>
    /// <param name="outputFolder">The site's folder; replaced atomically if it exists.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="device">Where the features and statistics are computed; the SAE's device when <see langword="null"/>.</param>
    /// <param name="progress">Told the tokens read so far, after each forward pass.</param>
    /// <param name="logger">Logs the steps; none when <see langword="null"/>.</param>
    /// <returns>What the site shows, the statistics included.</returns>
    /// <exception cref="ArgumentException">The hook or the SAE does not fit the model, or an option is invalid.</exception>
    public static FeatureSite Write(LlamaModel model, ITokenizer tokenizer, ISparseAutoencoder sae, HookPoint hook, ITextSource heldOut,
        string outputFolder, FeatureBrowserOptions? options = null, Device? device = null, IProgress<long>? progress = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(heldOut);
        options ??= new FeatureBrowserOptions();
        options.Validate();
        IEnumerable<ContextWindow> windows = new ContextWindows(tokenizer, options.Windows).Enumerate(heldOut.ReadDocuments());
        return Write(model, tokenizer, sae, hook, windows, outputFolder, options, device, progress, logger);
    }

    /// <summary>Writes the browser from context windows already cut; see the overload taking text.</summary>
    /// <param name="model">The language model; only read.</param>
    /// <param name="tokenizer">Its tokenizer (for the token texts).</param>
    /// <param name="sae">The SAE.</param>
    /// <param name="hook">Where the SAE reads the model.</param>
    /// <param name="windows">The held-out context windows, all of one length.</param>
    /// <param name="outputFolder">The site's folder; replaced atomically if it exists.</param>
    /// <param name="options">The options (<see cref="FeatureBrowserOptions.Windows"/> is not used); the defaults when <see langword="null"/>.</param>
    /// <param name="device">Where the features and statistics are computed; the SAE's device when <see langword="null"/>.</param>
    /// <param name="progress">Told the tokens read so far, after each forward pass.</param>
    /// <param name="logger">Logs the steps; none when <see langword="null"/>.</param>
    /// <returns>What the site shows.</returns>
    /// <exception cref="ArgumentException">
    /// The hook or the SAE does not fit the model, an option is invalid, or the windows hold no token (parameter
    /// <c>windows</c>; nothing is written then).
    /// </exception>
    public static FeatureSite Write(LlamaModel model, ITokenizer tokenizer, ISparseAutoencoder sae, HookPoint hook, IEnumerable<ContextWindow> windows,
        string outputFolder, FeatureBrowserOptions? options = null, Device? device = null, IProgress<long>? progress = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputFolder);
        options ??= new FeatureBrowserOptions();
        options.Validate();
        logger ??= NullLogger.Instance;
        FeatureCollector.CheckFits(model, sae, hook);

        FeatureStatisticsResult statistics = FeatureCollector.Collect(model, sae, hook, windows, options.WindowsPerForward, options.MaxTokens,
            options.Statistics, device, progress);
        if (statistics.TokenCount == 0)
        {
            // Checked before anything is written: an empty site would look like an SAE whose latents never fire.
            throw new ArgumentException($"The held-out text yielded no tokens; nothing was written to '{outputFolder}'.", nameof(windows));
        }
        logger.LogInformation("Feature statistics of {Latents} latents over {Tokens} tokens at {Hook}", sae.DSae, statistics.TokenCount, hook);
        LogitEffectTable logits = LogitEffects.Compute(model, sae, options.LogitTokens);
        var site = new FeatureSite(options.Title ?? $"Features of an SAE at {hook}", hook.Name, statistics, logits, TokenText.Vocabulary(tokenizer));
        FeatureSiteWriter.Write(site, outputFolder, options.LatentsPerChunk);
        logger.LogInformation("Wrote the feature browser to {Folder}", outputFolder);
        return site;
    }
}
