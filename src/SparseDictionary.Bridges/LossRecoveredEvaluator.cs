using SparseDictionary.Autoencoders;
using SparseDictionary.Runtime;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>
/// Measures how much of the model's next-token performance survives when an SAE's reconstruction replaces the
/// activations at a hook point ("loss recovered"), over a stream of held-out token windows.
/// </summary>
/// <remarks>
/// <para>
/// Each batch of windows is run three times: clean; with the site's value <c>x</c> replaced by <c>Decode(Encode(x))</c>;
/// and with it replaced by zeros. The logits at position <c>t</c> predict token <c>t + 1</c>; a prediction is scored when
/// both positions are real (attention mask non-zero) and the score mask admits token <c>t + 1</c>. Over all scored tokens
/// of the stream it reports the mean cross-entropies <c>CE_clean</c>, <c>CE_sae</c>, <c>CE_zero</c>, the loss recovered
/// <c>1 − (CE_sae − CE_clean) / (CE_zero − CE_clean)</c>, the mean <c>KL(clean ‖ spliced)</c> and
/// <c>KL(clean ‖ ablated)</c>, and the distribution of the per-token <c>CE_sae − CE_clean</c>.
/// </para>
/// <para>
/// The zero-ablation denominator depends on the layer: zeroing an early residual stream destroys nearly everything, a
/// late one less, so loss recovered is not comparable across layers without looking at <c>CE_zero</c> too.
/// </para>
/// <para>
/// Both replacements touch the same positions: every real position except, unless
/// <see cref="LossRecoveredOptions.SpliceBos"/>, those holding the BOS token, which keep their clean values. So an SAE whose
/// reconstruction is zero scores exactly 0, and an exact one exactly 1. The evaluator keeps float64 running sums and the
/// per-token deltas (4 bytes a scored token, for the quantiles); it holds no native buffers.
/// </para>
/// </remarks>
public sealed class LossRecoveredEvaluator
{
    private readonly LlamaModel _model;
    private readonly ISparseAutoencoder _sae;
    private readonly List<float> _deltas = [];
    private double _sumCeClean;
    private double _sumCeSae;
    private double _sumCeZero;
    private double _sumKlSae;
    private double _sumKlZero;
    private long _scored;

    /// <summary>Creates an evaluator of <paramref name="sae"/> spliced into <paramref name="model"/>.</summary>
    /// <param name="model">The language model; it is only read.</param>
    /// <param name="sae">The SAE; it may live on another device or in another element type than the model.</param>
    /// <param name="options">The hook point and the batching; see <see cref="LossRecoveredOptions"/>.</param>
    /// <exception cref="ArgumentException">
    /// The hook point names a layer the model does not have, or the SAE's <c>d_in</c> differs from the width of the site.
    /// </exception>
    public LossRecoveredEvaluator(LlamaModel model, ISparseAutoencoder sae, LossRecoveredOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(options);
        int layers = model.Config.LayerCount;
        if (options.HookPoint.Layer >= layers)
        {
            throw new ArgumentException(
                $"Hook point {options.HookPoint} names layer {options.HookPoint.Layer}, but the model has {layers} layers (0 to {layers - 1}).",
                nameof(options));
        }
        // Every site of a Llama block (residual stream, attention and MLP outputs) has the model's width.
        if (sae.DIn != model.Config.Dim)
        {
            throw new ArgumentException(
                $"The SAE's d_in is {sae.DIn}, but the model's width at {options.HookPoint} is {model.Config.Dim}.", nameof(sae));
        }
        _model = model;
        _sae = sae;
        Options = options;
    }

    /// <summary>Gets the options the evaluator was created with.</summary>
    public LossRecoveredOptions Options { get; }

    /// <summary>Gets the number of next-token predictions scored so far.</summary>
    public long ScoredTokens => _scored;

    /// <summary>
    /// Runs the three forward passes on <paramref name="tokens"/>, <see cref="LossRecoveredOptions.BatchSize"/> windows at a
    /// time, and adds their scored tokens to the running totals.
    /// </summary>
    /// <param name="tokens">Token windows <c>[windows, seq]</c>, int64 or int32.</param>
    /// <param name="attentionMask">
    /// Optional <c>[windows, seq]</c> mask, non-zero for real tokens and zero for padding (on the right or the left); all
    /// tokens are real when <see langword="null"/>.
    /// </param>
    /// <param name="scoreMask">
    /// Optional <c>[windows, seq]</c> mask, aligned with the predicted token as Hugging Face labels are: position
    /// <c>t + 1</c> non-zero means the prediction of token <c>t + 1</c> from position <c>t</c> counts. Padding is excluded
    /// whatever it says. All real predictions count when <see langword="null"/>.
    /// </param>
    /// <exception cref="ArgumentException">The tokens or a mask have the wrong shape, or the tokens do not fit the model.</exception>
    public void Accumulate(Tensor tokens, Tensor? attentionMask = null, Tensor? scoreMask = null)
    {
        CheckWindows(tokens, attentionMask, scoreMask);

        using var noGrad = no_grad();
        long windows = tokens.shape[0];
        for (long start = 0; start < windows; start += Options.BatchSize)
        {
            // Everything a batch creates is freed before the next one.
            using var scope = StepScope.Begin();
            long rows = Math.Min(Options.BatchSize, windows - start);
            if (LossRecoveredBaseline.Batch.Compute(_model, Options, tokens.narrow(0, start, rows), attentionMask?.narrow(0, start, rows),
                scoreMask?.narrow(0, start, rows)) is { } batch)
            {
                AccumulateBatch(batch);
            }
        }
    }

    /// <summary>
    /// Adds the scored tokens of a precomputed <paramref name="baseline"/> (its clean and zero-ablated passes) to the running
    /// totals, running only the spliced pass: the same result as <see cref="Accumulate(Tensor, Tensor?, Tensor?)"/> on the
    /// baseline's windows, for a third of the forward passes.
    /// </summary>
    /// <param name="baseline">Computed for this evaluator's model, hook point and <see cref="LossRecoveredOptions.SpliceBos"/>.</param>
    /// <exception cref="ArgumentException">The baseline belongs to another model, hook point or BOS setting.</exception>
    public void Accumulate(LossRecoveredBaseline baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        if (!ReferenceEquals(baseline.Model, _model) || baseline.Options.HookPoint != Options.HookPoint || baseline.Options.SpliceBos != Options.SpliceBos)
        {
            throw new ArgumentException(
                $"The baseline was computed for {baseline.Options.HookPoint} (SpliceBos {baseline.Options.SpliceBos}) of its model; this evaluator splices " +
                $"{Options.HookPoint} (SpliceBos {Options.SpliceBos}) of {(ReferenceEquals(baseline.Model, _model) ? "the same" : "another")} model.", nameof(baseline));
        }
        using var noGrad = no_grad();
        foreach (LossRecoveredBaseline.Batch batch in baseline.Batches)
        {
            using var scope = NewDisposeScope();
            AccumulateBatch(batch);
        }
    }

    /// <summary>Returns the metrics over every token scored so far.</summary>
    public LossRecoveredResult Result()
    {
        float[] sorted = [.. _deltas];
        Array.Sort(sorted);
        double n = _scored;
        return new LossRecoveredResult
        {
            HookPoint = Options.HookPoint,
            ScoredTokens = _scored,
            CeLossWithoutSae = _sumCeClean / n,
            CeLossWithSae = _sumCeSae / n,
            CeLossWithAblation = _sumCeZero / n,
            KlDivWithSae = _sumKlSae / n,
            KlDivWithAblation = _sumKlZero / n,
            CeLossDeltaMean = (_sumCeSae - _sumCeClean) / n,
            CeLossDeltaQuantiles = [.. Options.DeltaQuantiles.Select(level => KeyValuePair.Create(level, Quantiles.Of(sorted, level)))],
            PerTokenCeLossDeltas = Options.KeepPerTokenDeltas ? _deltas.ToArray() : null,
        };
    }

    /// <summary>Returns <see cref="Result"/>'s metrics by the names in <see cref="LossRecoveredMetricNames"/>.</summary>
    public IReadOnlyDictionary<string, double> Report() => Result().ToMetrics();

    /// <summary>Evaluates <paramref name="sae"/> on one set of token windows; see <see cref="Accumulate(Tensor, Tensor?, Tensor?)"/>.</summary>
    /// <param name="model">The language model.</param>
    /// <param name="sae">The SAE.</param>
    /// <param name="options">The hook point and the batching.</param>
    /// <param name="tokens">Token windows <c>[windows, seq]</c>.</param>
    /// <param name="attentionMask">Optional padding mask, non-zero for real tokens.</param>
    /// <param name="scoreMask">Optional mask of the predicted tokens to score.</param>
    /// <returns>The metrics over every scored token.</returns>
    public static LossRecoveredResult Evaluate(
        LlamaModel model, ISparseAutoencoder sae, LossRecoveredOptions options, Tensor tokens, Tensor? attentionMask = null, Tensor? scoreMask = null)
    {
        var evaluator = new LossRecoveredEvaluator(model, sae, options);
        evaluator.Accumulate(tokens, attentionMask, scoreMask);
        return evaluator.Result();
    }

    private void AccumulateBatch(LossRecoveredBaseline.Batch batch)
    {
        (Tensor ceSae, Tensor klSae) = Compare(batch.Ids, batch.Mask, SaeSplice.Reconstruction(_sae, batch.KeepClean), batch.CleanLogProbs, batch.CleanLogProbs.exp());
        Tensor[] perToken = [.. new[] { batch.CeClean, ceSae, batch.CeZero, klSae, batch.KlZero }.Select(t => t.masked_select(batch.Scored).to_type(ScalarType.Float64))];
        double[] sums = stack(perToken.Select(t => t.sum()).ToArray()).cpu().data<double>().ToArray();
        _sumCeClean += sums[0];
        _sumCeSae += sums[1];
        _sumCeZero += sums[2];
        _sumKlSae += sums[3];
        _sumKlZero += sums[4];
        _scored += perToken[0].shape[0];
        _deltas.AddRange((perToken[1] - perToken[0]).to_type(ScalarType.Float32).cpu().data<float>().ToArray());
    }

    private (Tensor Ce, Tensor Kl) Compare(Tensor ids, Tensor? mask, Func<Tensor, Tensor> replacement, Tensor cleanLogProbs, Tensor cleanProbs) =>
        Compare(_model, Options.HookPoint, ids, mask, replacement, cleanLogProbs, cleanProbs);

    /// <summary>One changed pass: its per-position CE and KL from the clean pass. Its logits are freed before the next pass starts.</summary>
    internal static (Tensor Ce, Tensor Kl) Compare(
        LlamaModel model, HookPoint hookPoint, Tensor ids, Tensor? mask, Func<Tensor, Tensor> replacement, Tensor cleanLogProbs, Tensor cleanProbs)
    {
        using var scope = NewDisposeScope();
        Tensor logProbs = LogProbsOf(model, hookPoint, ids, mask, replacement);
        Tensor ce = NextTokenLosses.CrossEntropy(logProbs, ids).MoveToOuterDisposeScope();
        Tensor kl = NextTokenLosses.KlDivergence(cleanLogProbs, cleanProbs, logProbs).MoveToOuterDisposeScope();
        return (ce, kl);
    }

    /// <summary>Log-probabilities of a pass, with <paramref name="replacement"/> at the hook point unless null.</summary>
    internal static Tensor LogProbsOf(LlamaModel model, HookPoint hookPoint, Tensor ids, Tensor? mask, Func<Tensor, Tensor>? replacement)
    {
        using var scope = NewDisposeScope();
        var options = replacement is null
            ? new LlamaForwardOptions()
            : new LlamaForwardOptions { Replace = new Dictionary<HookPoint, Func<Tensor, Tensor>> { [hookPoint] = replacement } };
        using LlamaForwardResult result = model.Forward(ids, mask, options);
        return NextTokenLosses.LogProbs(result.Logits!).MoveToOuterDisposeScope();
    }

    /// <summary>Throws unless <paramref name="tokens"/> is <c>[windows, seq]</c> and each mask given has its shape.</summary>
    internal static void CheckWindows(Tensor tokens, Tensor? attentionMask, Tensor? scoreMask)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.dim() != 2)
        {
            throw new ArgumentException($"Expected token windows of shape [windows, seq], found [{string.Join(", ", tokens.shape)}].", nameof(tokens));
        }
        CheckMaskShape(attentionMask, tokens, nameof(attentionMask));
        CheckMaskShape(scoreMask, tokens, nameof(scoreMask));
    }

    private static void CheckMaskShape(Tensor? mask, Tensor tokens, string name)
    {
        if (mask is not null && !mask.shape.SequenceEqual(tokens.shape))
        {
            throw new ArgumentException(
                $"The {name} has shape [{string.Join(", ", mask.shape)}]; the tokens have shape [{string.Join(", ", tokens.shape)}].", name);
        }
    }
}
