using SparseDictionary.Autoencoders;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges.Features;

/// <summary>
/// The direct effect of each latent's decoder direction on the next-token logits (the "logit lens" of a latent): the
/// tokens it most promotes and suppresses.
/// </summary>
/// <remarks>
/// <para>
/// The effect of latent <c>i</c> on token <c>t</c> is <c>(W_dec[i] ⊙ g) · W_U[t]</c>, where <c>g</c> is the final
/// RMSNorm's gain and <c>W_U</c> the unembedding (the token embeddings when they are tied). This is the convention of
/// TransformerLens with its layer-norm gain folded into the unembedding, as SAELens and SAEDashboard use it: the final norm
/// is treated as the fixed linear map <c>x ↦ g ⊙ x</c>. Its division by the residual stream's RMS is left out: it is a
/// positive number per token that depends on the whole stream, so it scales every logit of a position alike and changes
/// neither which tokens a direction promotes nor their order. The later blocks are ignored too (only the direct path from
/// the hook to the logits is measured), so for an early layer the table says less about what the latent does.
/// </para>
/// </remarks>
public static class LogitEffects
{
    /// <summary>The parameter name of the final norm's gain in <see cref="LlamaModel"/> (as in <c>LlamaForCausalLM</c>).</summary>
    public const string FinalNormWeightName = "model.norm.weight";

    /// <summary>Computes every latent's top promoted and suppressed tokens.</summary>
    /// <param name="model">The language model; only read.</param>
    /// <param name="sae">The SAE; its decoder is moved to the model's device and element type for the product.</param>
    /// <param name="top">The tokens kept per latent and direction; at most the vocabulary size.</param>
    /// <param name="latentsPerChunk">Latents multiplied at once: bounds the <c>[chunk, vocab]</c> temporary.</param>
    /// <returns>The table, on the host.</returns>
    public static LogitEffectTable Compute(LlamaModel model, ISparseAutoencoder sae, int top = 10, int latentsPerChunk = 512)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(latentsPerChunk);
        if (sae.DIn != model.Config.Dim)
        {
            throw new ArgumentException($"The SAE's d_in is {sae.DIn}, but the model is {model.Config.Dim} wide.", nameof(sae));
        }
        int vocab = model.Config.VocabSize;
        top = Math.Min(top, vocab);
        int dSae = sae.DSae;
        var promotedIds = new int[dSae * top];
        var promoted = new float[dSae * top];
        var suppressedIds = new int[dSae * top];
        var suppressed = new float[dSae * top];
        using var noGrad = no_grad();
        Parameter gain = model.named_parameters().First(p => p.name == FinalNormWeightName).parameter;
        for (int start = 0; start < dSae; start += latentsPerChunk)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(latentsPerChunk, dSae - start);
            Tensor directions = sae.DecoderWeight.narrow(0, start, count).to(model.DType, model.Device) * gain;
            Tensor logits = model.Unembed(directions).to(ScalarType.Float32);
            (Tensor upValues, Tensor upIds) = logits.topk(top, dim: 1);
            (Tensor downValues, Tensor downIds) = logits.topk(top, dim: 1, largest: false);
            Copy(upValues, promoted, start * top);
            Copy(downValues, suppressed, start * top);
            CopyIds(upIds, promotedIds, start * top);
            CopyIds(downIds, suppressedIds, start * top);
        }
        return new LogitEffectTable(dSae, top, promotedIds, promoted, suppressedIds, suppressed);
    }

    private static void Copy(Tensor values, float[] target, int offset) =>
        values.cpu().contiguous().data<float>().ToArray().CopyTo(target, offset);

    private static void CopyIds(Tensor ids, int[] target, int offset) =>
        ids.to(ScalarType.Int32).cpu().contiguous().data<int>().ToArray().CopyTo(target, offset);
}

/// <summary>Each latent's most promoted and most suppressed tokens, from <see cref="LogitEffects.Compute"/>.</summary>
public sealed class LogitEffectTable
{
    private readonly int[] _promotedIds;
    private readonly float[] _promoted;
    private readonly int[] _suppressedIds;
    private readonly float[] _suppressed;

    internal LogitEffectTable(int dSae, int top, int[] promotedIds, float[] promoted, int[] suppressedIds, float[] suppressed)
    {
        DSae = dSae;
        Top = top;
        _promotedIds = promotedIds;
        _promoted = promoted;
        _suppressedIds = suppressedIds;
        _suppressed = suppressed;
    }

    /// <summary>Gets the number of latents.</summary>
    public int DSae { get; }

    /// <summary>Gets the tokens kept per latent and direction.</summary>
    public int Top { get; }

    /// <summary>Gets the tokens <paramref name="latent"/> promotes most, highest effect first.</summary>
    public IReadOnlyList<(int Token, float Effect)> Promoted(int latent) => Slice(_promotedIds, _promoted, latent);

    /// <summary>Gets the tokens <paramref name="latent"/> suppresses most, most negative effect first.</summary>
    public IReadOnlyList<(int Token, float Effect)> Suppressed(int latent) => Slice(_suppressedIds, _suppressed, latent);

    private (int, float)[] Slice(int[] ids, float[] values, int latent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(latent);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(latent, DSae);
        return [.. Enumerable.Range(latent * Top, Top).Select(i => (ids[i], values[i]))];
    }
}
