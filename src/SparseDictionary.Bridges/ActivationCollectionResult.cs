namespace SparseDictionary.Bridges;

/// <summary>What an <see cref="ActivationCollector"/> run did.</summary>
/// <param name="ResumedTokens">Tokens each cache already held when the run started, by hook point.</param>
/// <param name="TotalTokens">Tokens each cache holds at the end, by hook point (equal for all when complete).</param>
public sealed record ActivationCollectionResult(
    IReadOnlyDictionary<HookPoint, long> ResumedTokens,
    IReadOnlyDictionary<HookPoint, long> TotalTokens);
