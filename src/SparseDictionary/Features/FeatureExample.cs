namespace SparseDictionary.Features;

/// <summary>One top-activating example of a latent: the token where it fired, and the context around it.</summary>
/// <param name="Activation">The latent's activation at the token.</param>
/// <param name="Sequence">The ordinal of the sequence (context window) in the stream, from 0.</param>
/// <param name="Position">The token's position in its sequence.</param>
/// <param name="Tokens">
/// The token ids of the context, <see cref="FeatureStatisticsOptions.ContextBefore"/> before the token to
/// <see cref="FeatureStatisticsOptions.ContextAfter"/> after it, clipped to the sequence and without padding.
/// </param>
/// <param name="Activations">The latent's activation at each token of <paramref name="Tokens"/>.</param>
/// <param name="Focus">The index in <paramref name="Tokens"/> of the token where the activation was taken.</param>
public sealed record FeatureExample(float Activation, long Sequence, int Position, int[] Tokens, float[] Activations, int Focus);
