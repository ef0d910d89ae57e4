namespace SparseDictionary.Bridges.Steering;

/// <summary>One latent to steer with, and the value: the scale added, or the activation clamped to.</summary>
/// <param name="Latent">The latent's index.</param>
/// <param name="Value">The scale of its decoder direction (<see cref="SteeringMode.Add"/>) or its activation (<see cref="SteeringMode.Clamp"/>).</param>
public sealed record SteeringLatent(int Latent, double Value);
