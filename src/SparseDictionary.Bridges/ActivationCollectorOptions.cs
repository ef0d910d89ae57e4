using SparseDictionary.Activations;

namespace SparseDictionary.Bridges;

/// <summary>How <see cref="ActivationCollector"/> reads the model and stores the caches. <see cref="Validate"/> names the first bad field.</summary>
public sealed record ActivationCollectorOptions
{
    /// <summary>
    /// Gets how the corpus is read; its <see cref="ModelActivationSourceOptions.SkipTokens"/> is ignored (the collector
    /// skips what the caches already hold) and its <see cref="ModelActivationSourceOptions.MaxTokens"/> bounds each cache.
    /// </summary>
    public ModelActivationSourceOptions Source { get; init; } = new();

    /// <summary>
    /// Gets the storage options shared by every cache; the collector fills in <see cref="ActivationCacheWriterOptions.HookName"/>
    /// and <see cref="ActivationCacheWriterOptions.Layer"/> per hook point.
    /// </summary>
    public ActivationCacheWriterOptions Cache { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Source, nameof(Source));
        ArgumentNullException.ThrowIfNull(Cache, nameof(Cache));
        Source.Validate();
        Cache.Validate();
    }
}
