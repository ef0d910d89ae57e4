using SparseDictionary.Autoencoders;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>
/// Feeds a <see cref="LossRecoveredEvaluator"/> the context windows of a corpus, a batch at a time, until the windows hold
/// <c>maxTokens</c> collected tokens (real, not BOS: the same count <see cref="ModelActivationSource"/> stops at).
/// </summary>
public static class CorpusLossRecovered
{
    /// <summary>Runs the evaluator over the corpus and returns its result.</summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="sae">The SAE to splice in.</param>
    /// <param name="hook">Where to splice it.</param>
    /// <param name="text">The corpus.</param>
    /// <param name="windows">How documents become windows.</param>
    /// <param name="batch">Windows per forward pass.</param>
    /// <param name="maxTokens">The token budget; the whole corpus when <see langword="null"/>.</param>
    /// <param name="progress">Told the collected tokens read so far, after each batch.</param>
    /// <returns>The loss-recovered metrics over every scored token.</returns>
    public static LossRecoveredResult Evaluate(LlamaModel model, ITokenizer tokenizer, ISparseAutoencoder sae, HookPoint hook,
        ITextSource text, ContextWindowOptions windows, int batch, long? maxTokens, IProgress<long>? progress)
    {
        var evaluator = new LossRecoveredEvaluator(model, sae, new LossRecoveredOptions(hook) { BatchSize = batch });
        var pending = new List<ContextWindow>(batch);
        long tokens = 0;
        foreach (ContextWindow window in new ContextWindows(tokenizer, windows).Enumerate(text.ReadDocuments()))
        {
            if (maxTokens is long max && tokens >= max) break;
            pending.Add(window);
            tokens += window.CollectedCount;
            if (pending.Count == batch)
            {
                Accumulate(evaluator, pending);
                progress?.Report(tokens);
            }
        }
        if (pending.Count > 0)
        {
            Accumulate(evaluator, pending);
            progress?.Report(tokens);
        }
        return evaluator.Result();
    }

    private static void Accumulate(LossRecoveredEvaluator evaluator, List<ContextWindow> windows)
    {
        using var scope = NewDisposeScope();
        (Tensor tokens, Tensor mask) = ContextWindowBatch.ToTensors(windows, CPU);
        evaluator.Accumulate(tokens, mask);
        windows.Clear();
    }
}
