using System.Globalization;
using SparseDictionary.Activations;
using SparseDictionary.Llama.Corpus;
using SparseDictionary.Runtime;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>Writes the activations of several hook points, from one pass over a corpus, to one activation cache per point.</summary>
public static class ActivationCollector
{
    /// <summary>
    /// Collects the residual stream after each of <paramref name="layers"/> (<see cref="HookSite.ResidualPost"/>), one cache
    /// per layer; see <see cref="Collect(LlamaModel, ITokenizer, ITextSource, IReadOnlyList{HookPoint}, Func{HookPoint, string}, ActivationCollectorOptions?, IProgress{long}?)"/>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="text">The corpus; it must read the same documents on every run for resuming to be correct.</param>
    /// <param name="layers">The zero-based layers, distinct.</param>
    /// <param name="folderForLayer">The cache folder of each layer.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="progress">Told the position in tokens after each forward pass, if given.</param>
    /// <returns>How many tokens each cache held before and after.</returns>
    public static ActivationCollectionResult Collect(LlamaModel model, ITokenizer tokenizer, ITextSource text,
        IReadOnlyList<int> layers, Func<int, string> folderForLayer, ActivationCollectorOptions? options = null,
        IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(folderForLayer);
        HookPoint[] points = [.. layers.Select(l => new HookPoint(l, HookSite.ResidualPost))];
        return Collect(model, tokenizer, text, points, p => folderForLayer(p.Layer), options, progress);
    }

    /// <summary>
    /// Runs the model over the corpus once and appends each hook point's activations to its cache, then completes the
    /// caches. An interrupted run resumes: the corpus is re-read, skipping the tokens every cache already holds (without
    /// running the model on whole skipped windows), and a cache that got further than the others skips its extra rows, so
    /// no token is stored twice.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="text">The corpus; it must read the same documents on every run for resuming to be correct.</param>
    /// <param name="hookPoints">The points to collect, at least one, distinct.</param>
    /// <param name="folderFor">The cache folder of each point.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="progress">Told the position in tokens after each forward pass, if given.</param>
    /// <returns>How many tokens each cache held before and after.</returns>
    /// <exception cref="ActivationCacheException">A cache folder exists but cannot be resumed (complete, or other settings).</exception>
    public static ActivationCollectionResult Collect(LlamaModel model, ITokenizer tokenizer, ITextSource text,
        IReadOnlyList<HookPoint> hookPoints, Func<HookPoint, string> folderFor, ActivationCollectorOptions? options = null,
        IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(hookPoints);
        ArgumentNullException.ThrowIfNull(folderFor);
        options ??= new ActivationCollectorOptions();
        options.Validate();

        var writers = new Dictionary<HookPoint, ActivationCacheWriter>();
        try
        {
            foreach (HookPoint point in hookPoints)
            {
                writers[point] = ActivationCacheWriter.Open(folderFor(point), model.Config.Dim, options.Cache with
                {
                    HookName = point.Name,
                    Layer = point.Layer.ToString(CultureInfo.InvariantCulture),
                });
            }
            var resumed = writers.ToDictionary(w => w.Key, w => w.Value.ResumedTokens);
            long start = resumed.Values.DefaultIfEmpty(0).Min();
            var extra = resumed.ToDictionary(r => r.Key, r => r.Value - start);

            using var reader = new MultiLayerActivationReader(model, tokenizer, text, hookPoints,
                options.Source with { SkipTokens = start }, progress);
            while (true)
            {
                using var scope = StepScope.Begin();
                IReadOnlyDictionary<HookPoint, Tensor>? batch = reader.Next();
                if (batch is null) break;
                foreach ((HookPoint point, Tensor rows) in batch)
                {
                    long drop = Math.Min(extra[point], rows.shape[0]);
                    extra[point] -= drop;
                    if (drop < rows.shape[0]) writers[point].Append(rows.narrow(0, drop, rows.shape[0] - drop));
                }
            }
            foreach (ActivationCacheWriter writer in writers.Values) writer.Complete();
            return new ActivationCollectionResult(resumed, writers.ToDictionary(w => w.Key, w => w.Value.TotalTokens));
        }
        finally
        {
            foreach (ActivationCacheWriter writer in writers.Values) writer.Dispose();
        }
    }
}
