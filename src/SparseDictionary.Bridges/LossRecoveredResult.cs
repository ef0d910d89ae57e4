namespace SparseDictionary.Bridges;

/// <summary>
/// What a <see cref="LossRecoveredEvaluator"/> found over every token it scored: the model's next-token cross-entropy
/// clean, with the SAE's reconstruction spliced in, and with the hook point zero-ablated, and how far the spliced and
/// ablated distributions moved from the clean one.
/// </summary>
/// <remarks>
/// Every mean is token-weighted over the whole stream (a sum over all scored tokens divided by their number), and the
/// ratios are computed from those means at the end, never averaged over batches. Before any scored token every value is
/// <see cref="double.NaN"/>.
/// </remarks>
public sealed record LossRecoveredResult
{
    /// <summary>Gets the hook point the SAE was spliced into.</summary>
    public required HookPoint HookPoint { get; init; }

    /// <summary>Gets the number of scored next-token predictions.</summary>
    public required long ScoredTokens { get; init; }

    /// <summary>Gets the mean cross-entropy of the unchanged model, <c>CE_clean</c>, in nats.</summary>
    public required double CeLossWithoutSae { get; init; }

    /// <summary>Gets the mean cross-entropy with the SAE's reconstruction spliced in, <c>CE_sae</c>, in nats.</summary>
    public required double CeLossWithSae { get; init; }

    /// <summary>Gets the mean cross-entropy with the hook point zero-ablated, <c>CE_zero</c>, in nats.</summary>
    public required double CeLossWithAblation { get; init; }

    /// <summary>Gets the mean KL divergence <c>KL(clean ‖ spliced)</c> of the next-token distributions, in nats.</summary>
    public required double KlDivWithSae { get; init; }

    /// <summary>Gets the mean KL divergence <c>KL(clean ‖ zero-ablated)</c> of the next-token distributions, in nats.</summary>
    public required double KlDivWithAblation { get; init; }

    /// <summary>Gets the mean per-token <c>CE_sae − CE_clean</c>, in nats.</summary>
    public required double CeLossDeltaMean { get; init; }

    /// <summary>
    /// Gets quantiles of the per-token <c>CE_sae − CE_clean</c>, as (level, value) pairs in the order of
    /// <see cref="LossRecoveredOptions.DeltaQuantiles"/>; linear interpolation between order statistics (NumPy's default).
    /// </summary>
    public required IReadOnlyList<KeyValuePair<double, double>> CeLossDeltaQuantiles { get; init; }

    /// <summary>
    /// Gets every scored token's <c>CE_sae − CE_clean</c> in stream order (row by row, position by position), or
    /// <see langword="null"/> unless <see cref="LossRecoveredOptions.KeepPerTokenDeltas"/> was set.
    /// </summary>
    public IReadOnlyList<float>? PerTokenCeLossDeltas { get; init; }

    /// <summary>
    /// Gets the loss recovered, <c>1 − (CE_sae − CE_clean) / (CE_zero − CE_clean)</c>: 1 when splicing the SAE costs
    /// nothing, 0 when it is as bad as zero-ablating the hook point (SAELens's <c>ce_loss_score</c>).
    /// </summary>
    /// <remarks>
    /// The denominator depends on the layer: zero-ablating an early residual stream destroys nearly everything the model
    /// knows, a late one much less, so the same absolute CE increase scores higher at an early layer. Compare layers by
    /// <see cref="CeLossWithSae"/> and <see cref="CeLossWithAblation"/>, not by this ratio alone. NaN when
    /// <c>CE_zero = CE_clean</c>.
    /// </remarks>
    public double CeLossScore => 1 - (CeLossWithSae - CeLossWithoutSae) / (CeLossWithAblation - CeLossWithoutSae);

    /// <summary>Gets <c>(KL_zero − KL_sae) / KL_zero</c>, the KL analogue of <see cref="CeLossScore"/> (SAELens's <c>kl_div_score</c>).</summary>
    public double KlDivScore => (KlDivWithAblation - KlDivWithSae) / KlDivWithAblation;

    /// <summary>Returns the metrics by the names in <see cref="LossRecoveredMetricNames"/>.</summary>
    public IReadOnlyDictionary<string, double> ToMetrics()
    {
        var metrics = new Dictionary<string, double>
        {
            [LossRecoveredMetricNames.CeLossScore] = CeLossScore,
            [LossRecoveredMetricNames.CeLossWithSae] = CeLossWithSae,
            [LossRecoveredMetricNames.CeLossWithoutSae] = CeLossWithoutSae,
            [LossRecoveredMetricNames.CeLossWithAblation] = CeLossWithAblation,
            [LossRecoveredMetricNames.KlDivWithSae] = KlDivWithSae,
            [LossRecoveredMetricNames.KlDivWithAblation] = KlDivWithAblation,
            [LossRecoveredMetricNames.KlDivScore] = KlDivScore,
            [LossRecoveredMetricNames.CeLossDeltaMean] = CeLossDeltaMean,
        };
        foreach ((double level, double value) in CeLossDeltaQuantiles)
        {
            metrics[LossRecoveredMetricNames.CeLossDeltaQuantile(level)] = value;
        }
        return metrics;
    }
}
