namespace SparseDictionary.Experiments.Results;

/// <summary>Everything a seed-experiment run produced, as written to <c>results.json</c>.</summary>
/// <param name="Model">The model folder.</param>
/// <param name="ModelLayers">The model's number of layers.</param>
/// <param name="DModel">The residual-stream width.</param>
/// <param name="TrainTokens">Activations per layer the SAEs trained on.</param>
/// <param name="HeldOutTokens">Held-out activations per layer the reconstruction and sparsity metrics use.</param>
/// <param name="Baselines">The CE baselines per layer.</param>
/// <param name="Runs">Every run, in the order it ran.</param>
/// <param name="CollectSeconds">Wall time of activation collection.</param>
/// <param name="TotalSeconds">Wall time of the whole experiment.</param>
/// <param name="Browsers">The feature browser written per layer; none when browsers were off (or the file predates them).</param>
public sealed record SeedExperimentResult(
    string Model,
    int ModelLayers,
    int DModel,
    long TrainTokens,
    long HeldOutTokens,
    IReadOnlyList<LayerBaseline> Baselines,
    IReadOnlyList<RunResult> Runs,
    double CollectSeconds,
    double TotalSeconds,
    IReadOnlyList<LayerBrowser>? Browsers = null);
