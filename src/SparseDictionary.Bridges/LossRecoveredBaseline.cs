using SparseDictionary.Runtime;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>
/// The parts of a loss-recovered run that do not depend on the SAE: the clean and the zero-ablated passes over a set of
/// token windows at one hook point. Compute it once, then give it to <see cref="LossRecoveredEvaluator.Accumulate(LossRecoveredBaseline)"/>
/// for each SAE at that hook point: each SAE then costs one forward pass instead of three, with the same result.
/// </summary>
/// <remarks>
/// It keeps the clean log-probabilities of every window, <c>windows × seq × vocab</c> values in the model's element type
/// (64 windows of 128 tokens with a 4,096-token vocabulary: 134 MB in float32; with Llama-2's 32,000: 1 GB), so it suits
/// repeated evaluation on a modest held-out set, such as a sweep. Dispose it to free them.
/// </remarks>
public sealed class LossRecoveredBaseline : IDisposable
{
    private readonly List<Batch> _batches;

    private LossRecoveredBaseline(LlamaModel model, LossRecoveredOptions options, List<Batch> batches)
    {
        Model = model;
        Options = options;
        _batches = batches;
    }

    /// <summary>Gets the model the passes ran on.</summary>
    public LlamaModel Model { get; }

    /// <summary>Gets the options (hook point, batching, BOS handling) the passes used.</summary>
    public LossRecoveredOptions Options { get; }

    /// <summary>Gets the number of next-token predictions scored.</summary>
    public long ScoredTokens => _batches.Sum(b => b.ScoredCount);

    internal IReadOnlyList<Batch> Batches => _batches;

    /// <summary>Runs the clean and zero-ablated passes over <paramref name="tokens"/>, <see cref="LossRecoveredOptions.BatchSize"/> windows at a time.</summary>
    /// <param name="model">The language model.</param>
    /// <param name="options">The hook point and the batching; the same as the evaluators that will use the baseline.</param>
    /// <param name="tokens">Token windows <c>[windows, seq]</c>, int64 or int32.</param>
    /// <param name="attentionMask">Optional <c>[windows, seq]</c> mask, non-zero for real tokens.</param>
    /// <param name="scoreMask">Optional <c>[windows, seq]</c> mask of the predicted tokens to score (see <see cref="LossRecoveredEvaluator.Accumulate(Tensor, Tensor?, Tensor?)"/>).</param>
    /// <returns>The baseline; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The hook point, the tokens or a mask do not fit the model.</exception>
    public static LossRecoveredBaseline Compute(LlamaModel model, LossRecoveredOptions options, Tensor tokens, Tensor? attentionMask = null, Tensor? scoreMask = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.HookPoint.Layer >= model.Config.LayerCount)
        {
            throw new ArgumentException(
                $"Hook point {options.HookPoint} names layer {options.HookPoint.Layer}, but the model has {model.Config.LayerCount} layers.", nameof(options));
        }
        LossRecoveredEvaluator.CheckWindows(tokens, attentionMask, scoreMask);
        var batches = new List<Batch>();
        try
        {
            using var noGrad = no_grad();
            for (long start = 0; start < tokens.shape[0]; start += options.BatchSize)
            {
                using var scope = StepScope.Begin();
                long rows = Math.Min(options.BatchSize, tokens.shape[0] - start);
                Batch? batch = Batch.Compute(model, options, tokens.narrow(0, start, rows), attentionMask?.narrow(0, start, rows), scoreMask?.narrow(0, start, rows));
                if (batch is not null) batches.Add(batch.DetachFromDisposeScope());
            }
        }
        catch
        {
            foreach (Batch batch in batches) batch.Dispose();
            throw;
        }
        return new LossRecoveredBaseline(model, options, batches);
    }

    /// <summary>Frees the stored passes.</summary>
    public void Dispose()
    {
        foreach (Batch batch in _batches) batch.Dispose();
        _batches.Clear();
    }

    /// <summary>
    /// One batch of windows: the inputs, which positions are scored and which keep their clean value, and the per-position
    /// results of the clean and zero-ablated passes.
    /// </summary>
    internal sealed record Batch(Tensor Ids, Tensor? Mask, Tensor Scored, Tensor KeepClean, Tensor CleanLogProbs, Tensor CeClean, Tensor CeZero, Tensor KlZero)
        : IDisposable
    {
        public long ScoredCount { get; } = Scored.sum().ToInt64();

        /// <summary>Runs the two SAE-independent passes on one batch (in the caller's dispose scope); null when no position has a next token.</summary>
        public static Batch? Compute(LlamaModel model, LossRecoveredOptions options, Tensor tokens, Tensor? attentionMask, Tensor? scoreMask)
        {
            if (tokens.shape[1] < 2)
            {
                return null; // No position has a next token.
            }
            Device device = model.Device;
            Tensor ids = tokens.to(ScalarType.Int64, device);
            Tensor? mask = attentionMask?.to(device);
            Tensor real = mask is null ? ones_like(ids, ScalarType.Bool) : mask.ne(0);
            Tensor targets = scoreMask is null ? real : real.logical_and(scoreMask.to(device).ne(0));
            // Prediction t → t + 1 counts when t is real and t + 1 is a real token to score: [batch, seq − 1].
            Tensor scored = real[.., ..^1].logical_and(targets[.., 1..]);

            Tensor replaced = real;
            if (!options.SpliceBos && model.Config.BosTokenId is int bos)
            {
                replaced = replaced.logical_and(ids.ne(bos));
            }
            Tensor keepClean = replaced.logical_not().unsqueeze(-1);

            Tensor cleanLogProbs = LossRecoveredEvaluator.LogProbsOf(model, options.HookPoint, ids, mask, null);
            Tensor ceClean = NextTokenLosses.CrossEntropy(cleanLogProbs, ids);
            (Tensor ceZero, Tensor klZero) = LossRecoveredEvaluator.Compare(model, options.HookPoint, ids, mask, SaeSplice.ZeroAblation(keepClean), cleanLogProbs, cleanLogProbs.exp());
            return new Batch(ids, mask, scored, keepClean, cleanLogProbs, ceClean, ceZero, klZero);
        }

        /// <summary>Moves every tensor out of the current dispose scope, so the batch outlives it.</summary>
        public Batch DetachFromDisposeScope()
        {
            foreach (Tensor t in Tensors()) t.DetachFromDisposeScope();
            return this;
        }

        public void Dispose()
        {
            foreach (Tensor t in Tensors()) t.Dispose();
        }

        private IEnumerable<Tensor> Tensors() =>
            new[] { Ids, Mask, Scored, KeepClean, CleanLogProbs, CeClean, CeZero, KlZero }.OfType<Tensor>();
    }
}
