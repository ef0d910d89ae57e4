using SparseDictionary.Autoencoders;
using SparseDictionary.Features;
using SparseDictionary.Llama.Corpus;
using SparseDictionary.Runtime;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges.Features;

/// <summary>
/// Runs a Llama model over context windows, encodes the activations at one hook point with an SAE, and feeds the features
/// to <see cref="FeatureStatistics"/>: the one streaming pass behind the feature browser.
/// </summary>
public static class FeatureCollector
{
    /// <summary>
    /// Collects the statistics of every latent of <paramref name="sae"/> over <paramref name="windows"/>, until they hold
    /// <paramref name="maxTokens"/> collected tokens (real, not BOS) or run out. Examples are taken at collected positions;
    /// contexts show every real token, BOS included (with the latent's activation there).
    /// </summary>
    /// <param name="model">The language model; only read.</param>
    /// <param name="sae">The SAE; it may live on another device or in another element type than the model.</param>
    /// <param name="hook">Where the SAE reads the model.</param>
    /// <param name="windows">The context windows, read lazily; all of the same length.</param>
    /// <param name="windowsPerForward">Windows per forward pass.</param>
    /// <param name="maxTokens">The token budget; every window when <see langword="null"/>.</param>
    /// <param name="options">What to keep per latent; the defaults when <see langword="null"/>.</param>
    /// <param name="device">Where the features and the statistics live; the SAE's device when <see langword="null"/>.</param>
    /// <param name="progress">Told the collected tokens read so far, after each forward pass.</param>
    /// <returns>The statistics, on the host. <see cref="FeatureExample.Sequence"/> is the window's ordinal in <paramref name="windows"/>.</returns>
    /// <exception cref="ArgumentException">The hook names a layer the model lacks, or the SAE's width is not the model's.</exception>
    public static FeatureStatisticsResult Collect(LlamaModel model, ISparseAutoencoder sae, HookPoint hook, IEnumerable<ContextWindow> windows,
        int windowsPerForward = 8, long? maxTokens = null, FeatureStatisticsOptions? options = null, Device? device = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowsPerForward);
        CheckFits(model, sae, hook);
        device ??= sae.Device;
        using var statistics = new FeatureStatistics(sae.DSae, options);
        var pending = new List<ContextWindow>(windowsPerForward);
        long tokens = 0;
        foreach (ContextWindow window in windows)
        {
            if (maxTokens is long max && tokens >= max) break;
            pending.Add(window);
            tokens += window.CollectedCount;
            if (pending.Count == windowsPerForward)
            {
                Accumulate(model, sae, hook, pending, statistics, device);
                progress?.Report(tokens);
            }
        }
        if (pending.Count > 0)
        {
            Accumulate(model, sae, hook, pending, statistics, device);
            progress?.Report(tokens);
        }
        return statistics.Result();
    }

    internal static void CheckFits(LlamaModel model, ISparseAutoencoder sae, HookPoint hook)
    {
        if (hook.Layer >= model.Config.LayerCount)
        {
            throw new ArgumentException($"Hook point {hook} names layer {hook.Layer}, but the model has {model.Config.LayerCount} layers.", nameof(hook));
        }
        if (sae.DIn != model.Config.Dim)
        {
            throw new ArgumentException($"The SAE's d_in is {sae.DIn}, but the model's width at {hook} is {model.Config.Dim}.", nameof(sae));
        }
    }

    private static void Accumulate(LlamaModel model, ISparseAutoencoder sae, HookPoint hook, List<ContextWindow> windows, FeatureStatistics statistics, Device device)
    {
        using var scope = StepScope.Begin();
        using var noGrad = no_grad();
        (Tensor ids, Tensor attention) = ContextWindowBatch.ToTensors(windows, model.Device);
        using LlamaForwardResult forward = model.Forward(ids, attention, new LlamaForwardOptions { Capture = [hook], StopAfterLastCapture = true });
        Tensor activations = forward.Captured[hook];
        long[] shape = activations.shape;
        Tensor features = sae.Encode(activations.reshape(-1, shape[2]).to(sae.DType, sae.Device))
            .to(ScalarType.Float32, device).reshape(shape[0], shape[1], sae.DSae);
        int length = windows[0].Tokens.Length;
        long[] tokens = new long[windows.Count * length];
        bool[] collected = new bool[tokens.Length];
        for (int w = 0; w < windows.Count; w++)
        {
            for (int i = 0; i < length; i++)
            {
                tokens[w * length + i] = windows[w].IsReal(i) ? windows[w].Tokens[i] : -1;
                collected[w * length + i] = windows[w].IsCollected(i);
            }
        }
        statistics.Accumulate(features, tensor(tokens, [windows.Count, length], device: device), tensor(collected, [windows.Count, length], device: device));
        windows.Clear();
    }
}
