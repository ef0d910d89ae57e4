using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges.Steering;

/// <summary>
/// Steers a Llama model with SAE latents: a hook-point replacement that adds latents' decoder directions to the activations
/// or clamps their activations, and a side-by-side generation with and without it (<c>sdict steer</c>).
/// </summary>
/// <remarks>
/// The change is applied at every position except the first (the BOS token, whose activations are typically far larger
/// than the others and which SAEs are not trained on), in the prompt and in every generated token.
/// </remarks>
public static class SaeSteering
{
    /// <summary>Returns the replacement that steers the value <c>[batch, seq, d_in]</c> of a hook point.</summary>
    /// <param name="sae">The SAE whose latents steer.</param>
    /// <param name="latents">The latents and values; at least one, each below <c>d_sae</c>.</param>
    /// <param name="mode">Add the directions, or clamp the activations.</param>
    /// <exception cref="ArgumentException">No latent, or one outside the SAE.</exception>
    public static Func<Tensor, Tensor> Replacement(ISparseAutoencoder sae, IReadOnlyList<SteeringLatent> latents, SteeringMode mode)
    {
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(latents);
        if (latents.Count == 0) throw new ArgumentException("At least one latent is needed.", nameof(latents));
        foreach (SteeringLatent latent in latents)
        {
            if (latent.Latent < 0 || latent.Latent >= sae.DSae)
            {
                throw new ArgumentException($"Latent {latent.Latent} is outside the SAE's {sae.DSae} latents (0 to {sae.DSae - 1}).", nameof(latents));
            }
            if (!double.IsFinite(latent.Value)) throw new ArgumentException($"The value of latent {latent.Latent} is not finite.", nameof(latents));
        }
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown steering mode.");
        long[] indices = [.. latents.Select(l => (long)l.Latent)];
        double[] values = [.. latents.Select(l => l.Value)];
        return x =>
        {
            long[] shape = x.shape;
            Tensor flat = x.reshape(-1, shape[^1]).to(sae.DType, sae.Device);
            Tensor index = tensor(indices, device: sae.Device);
            Tensor directions = sae.DecoderWeight.detach().index_select(0, index); // [n, d_in]
            Tensor target = tensor(values, device: sae.Device).to(sae.DType).unsqueeze(0); // [1, n]
            Tensor coefficients = mode == SteeringMode.Add
                ? target.expand(flat.shape[0], indices.Length)
                : target - sae.Encode(flat).index_select(1, index);
            Tensor delta = coefficients.matmul(directions).reshape(shape).to(x.dtype, x.device);
            // Position 0 (BOS) keeps its value.
            Tensor keep = arange(shape[1], device: x.device).eq(0).reshape(1, shape[1], 1);
            return x + delta.masked_fill(keep, 0);
        };
    }

    /// <summary>Continues <paramref name="prompt"/> twice with the same seed: as the model would, and steered.</summary>
    /// <param name="model">The model; only read.</param>
    /// <param name="tokenizer">Its tokenizer; the prompt is encoded with BOS.</param>
    /// <param name="sae">The SAE whose latents steer.</param>
    /// <param name="hook">Where the SAE reads the model, and where the steering is applied.</param>
    /// <param name="prompt">The prompt text.</param>
    /// <param name="latents">The latents and values.</param>
    /// <param name="mode">Add or clamp.</param>
    /// <param name="options">Length, temperature, seed; the defaults when <see langword="null"/>.</param>
    /// <returns>The prompt's tokens and both continuations.</returns>
    /// <exception cref="ArgumentException">The hook or the SAE does not fit the model, or a latent is outside the SAE.</exception>
    public static SteeringComparison Compare(LlamaModel model, ITokenizer tokenizer, ISparseAutoencoder sae, HookPoint hook, string prompt,
        IReadOnlyList<SteeringLatent> latents, SteeringMode mode, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(prompt);
        Features.FeatureCollector.CheckFits(model, sae, hook);
        Func<Tensor, Tensor> replacement = Replacement(sae, latents, mode);
        int[] ids = tokenizer.Encode(prompt, addBos: true);
        int[] baseline = TokenSampler.Generate(model, ids, options);
        int[] steered = TokenSampler.Generate(model, ids, options,
            new LlamaForwardOptions { Replace = new Dictionary<HookPoint, Func<Tensor, Tensor>> { [hook] = replacement } });
        return new SteeringComparison(ids, baseline, steered, tokenizer.Decode(baseline), tokenizer.Decode(steered));
    }
}

/// <summary>What <see cref="SaeSteering.Compare"/> returns.</summary>
/// <param name="PromptTokens">The prompt's token ids, BOS first.</param>
/// <param name="BaselineTokens">The unsteered continuation's token ids.</param>
/// <param name="SteeredTokens">The steered continuation's token ids.</param>
/// <param name="Baseline">The unsteered continuation as text.</param>
/// <param name="Steered">The steered continuation as text.</param>
public sealed record SteeringComparison(int[] PromptTokens, int[] BaselineTokens, int[] SteeredTokens, string Baseline, string Steered);
