namespace SparseDictionary.Experiments.Seed;

/// <summary>Progress of a seed experiment.</summary>
/// <param name="Stage">What is happening (<c>collect</c>, <c>train</c>, <c>write</c>).</param>
/// <param name="Completed">Units of the stage done (tokens collected, runs finished).</param>
/// <param name="Total">Units of the stage in all.</param>
/// <param name="Detail">The current item, e.g. the run's name.</param>
public sealed record SeedExperimentProgress(string Stage, long Completed, long Total, string Detail);
