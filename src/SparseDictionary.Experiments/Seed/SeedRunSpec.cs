using SparseDictionary.Experiments.Runs;

namespace SparseDictionary.Experiments.Seed;

/// <summary>One planned run of the seed experiment.</summary>
/// <param name="Family">The line it belongs to: <see cref="SeedExperimentPlan.Standard"/>, <see cref="SeedExperimentPlan.Gated"/> or <see cref="SeedExperimentPlan.GatedNote"/>.</param>
/// <param name="Variant"><see cref="SeedExperimentPlan.Sweep"/> for the λ sweep, or the name of the ablation.</param>
/// <param name="Config">The training configuration.</param>
public sealed record SeedRunSpec(string Family, string Variant, SaeRunConfig Config);
