using SparseDictionary.Features;
using SparseDictionary.Llama.Corpus;

namespace SparseDictionary.Bridges.Browser;

/// <summary>How <see cref="FeatureBrowser"/> reads the held-out text and what its site shows. <see cref="Validate"/> names the first bad field.</summary>
public sealed record FeatureBrowserOptions
{
    /// <summary>Gets how documents become context windows. Default: 128 tokens, BOS first, documents concatenated.</summary>
    public ContextWindowOptions Windows { get; init; } = new();

    /// <summary>Gets the windows per forward pass. Default 8.</summary>
    public int WindowsPerForward { get; init; } = 8;

    /// <summary>Gets the collected tokens (real, not BOS) to read; the whole text when <see langword="null"/>. Default 65,536.</summary>
    public long? MaxTokens { get; init; } = 65_536;

    /// <summary>Gets what is kept per latent: examples, context, histogram bins.</summary>
    public FeatureStatisticsOptions Statistics { get; init; } = new();

    /// <summary>Gets the promoted and suppressed tokens listed per latent. Default 10.</summary>
    public int LogitTokens { get; init; } = 10;

    /// <summary>Gets the latents per data file; a latent's page loads only its file. Default 64.</summary>
    public int LatentsPerChunk { get; init; } = 64;

    /// <summary>Gets the site's title; by default one naming the hook point.</summary>
    public string? Title { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Windows, nameof(Windows));
        ArgumentNullException.ThrowIfNull(Statistics, nameof(Statistics));
        Windows.Validate();
        Statistics.Validate();
        if (WindowsPerForward < 1) throw new ArgumentOutOfRangeException(nameof(WindowsPerForward), WindowsPerForward, "Must be positive.");
        if (MaxTokens is < 1) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "Must be positive.");
        if (LogitTokens < 1) throw new ArgumentOutOfRangeException(nameof(LogitTokens), LogitTokens, "Must be positive.");
        if (LatentsPerChunk < 1) throw new ArgumentOutOfRangeException(nameof(LatentsPerChunk), LatentsPerChunk, "Must be positive.");
    }
}
