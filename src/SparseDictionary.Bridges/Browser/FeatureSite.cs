using SparseDictionary.Bridges.Features;
using SparseDictionary.Features;

namespace SparseDictionary.Bridges.Browser;

/// <summary>What a feature browser site shows: the statistics, the logit effects and how tokens read.</summary>
/// <param name="Title">The site's title.</param>
/// <param name="HookName">The hook point the SAE reads, such as <c>blocks.3.hook_resid_post</c>.</param>
/// <param name="Statistics">The per-latent statistics over the held-out text.</param>
/// <param name="LogitEffects">Each latent's promoted and suppressed tokens.</param>
/// <param name="Vocabulary">The display text of every token id (see <see cref="TokenText.Vocabulary"/>).</param>
public sealed record FeatureSite(string Title, string HookName, FeatureStatisticsResult Statistics, LogitEffectTable LogitEffects, IReadOnlyList<string> Vocabulary);
