using System.Globalization;

namespace SparseDictionary.Bridges;

/// <summary>
/// The names under which <see cref="LossRecoveredResult.ToMetrics"/> reports, following SAELens's <c>group/metric</c>
/// keys where SAELens has the metric.
/// </summary>
public static class LossRecoveredMetricNames
{
    /// <summary>Loss recovered, <c>1 − (CE_sae − CE_clean) / (CE_zero − CE_clean)</c> (SAELens's name).</summary>
    public const string CeLossScore = "model_performance_preservation/ce_loss_score";

    /// <summary>Mean next-token cross-entropy with the SAE's reconstruction spliced in (SAELens's name).</summary>
    public const string CeLossWithSae = "model_performance_preservation/ce_loss_with_sae";

    /// <summary>Mean next-token cross-entropy of the unchanged model (SAELens's name).</summary>
    public const string CeLossWithoutSae = "model_performance_preservation/ce_loss_without_sae";

    /// <summary>Mean next-token cross-entropy with the hook point zero-ablated (SAELens's name).</summary>
    public const string CeLossWithAblation = "model_performance_preservation/ce_loss_with_ablation";

    /// <summary>Mean KL divergence of the spliced from the clean next-token distribution (SAELens's name).</summary>
    public const string KlDivWithSae = "model_behavior_preservation/kl_div_with_sae";

    /// <summary>Mean KL divergence of the zero-ablated from the clean next-token distribution (SAELens's name).</summary>
    public const string KlDivWithAblation = "model_behavior_preservation/kl_div_with_ablation";

    /// <summary><c>(KL_zero − KL_sae) / KL_zero</c>, the KL analogue of the loss recovered (SAELens's name).</summary>
    public const string KlDivScore = "model_behavior_preservation/kl_div_score";

    /// <summary>Mean per-token <c>CE_sae − CE_clean</c>; equals <c>CE_sae − CE_clean</c> of the means (not in SAELens).</summary>
    public const string CeLossDeltaMean = "model_performance_preservation/ce_loss_delta_mean";

    /// <summary>
    /// The name of the <paramref name="level"/> quantile of the per-token <c>CE_sae − CE_clean</c> (not in SAELens), such
    /// as <c>model_performance_preservation/ce_loss_delta_p50</c> for the median.
    /// </summary>
    /// <param name="level">The quantile level in [0, 1].</param>
    public static string CeLossDeltaQuantile(double level) =>
        string.Create(CultureInfo.InvariantCulture, $"model_performance_preservation/ce_loss_delta_p{level * 100:0.###}");
}
