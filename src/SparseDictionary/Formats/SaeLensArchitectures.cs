using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Formats;

/// <summary>
/// The architectures <see cref="SaeLensFolder"/> can load, by their SAELens <c>architecture</c> name. Adding one
/// (<c>topk</c>, <c>jumprelu</c>, ...) means adding one entry here.
/// </summary>
internal static class SaeLensArchitectures
{
    private static readonly Dictionary<string, SaeLensArchitecture> ByName = new SaeLensArchitecture[]
    {
        new("standard",
            (dIn, dSae, device, dtype) => new StandardSae(dIn, dSae, device, dtype),
            FoldStandard),
        new("gated",
            (dIn, dSae, device, dtype) => new GatedSae(dIn, dSae, device, dtype),
            FoldGated),
    }.ToDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>The architecture names, for error messages.</summary>
    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryGet(string name, out SaeLensArchitecture architecture) =>
        ByName.TryGetValue(name, out architecture!);

    // The SAELens standard encoder without the b_dec shift computes  x·W_enc + b_enc.  Since
    //   x·W_enc + b_enc = (x − b_dec)·W_enc + b_dec·W_enc + b_enc = (x − b_dec)·W_enc + (b_enc + b_dec·W_enc),
    // the shifting encoder of StandardSae with b_enc' = b_enc + b_dec·W_enc computes the same pre-activations for every x,
    // hence the same features; the decoder (f·W_dec + b_dec) is unchanged.
    private static void FoldStandard(IDictionary<string, Tensor> w)
    {
        using Tensor shift = matmul(w["b_dec"], w["W_enc"]);
        w["b_enc"] = Replace(w["b_enc"], w["b_enc"] + shift);
    }

    // The SAELens gated encoder without the b_dec shift computes
    //   π_gate = x·W_enc + b_gate,   π_mag = x·(W_enc ⊙ exp(r_mag)) + b_mag   (exp(r_mag) scales column j of W_enc).
    // With s = b_dec·W_enc  (a [d_sae] row):
    //   x·W_enc + b_gate = (x − b_dec)·W_enc + (b_gate + s),
    //   x·(W_enc ⊙ exp(r_mag)) + b_mag = (x − b_dec)·(W_enc ⊙ exp(r_mag)) + (b_mag + s ⊙ exp(r_mag)),
    // because b_dec·(W_enc ⊙ exp(r_mag)) = (b_dec·W_enc) ⊙ exp(r_mag). So b_gate' = b_gate + s and
    // b_mag' = b_mag + s ⊙ exp(r_mag) make GatedSae's shifting encoder compute both pre-activations exactly, hence the
    // same gates and magnitudes; W_enc, r_mag and the decoder are unchanged.
    private static void FoldGated(IDictionary<string, Tensor> w)
    {
        using Tensor shift = matmul(w["b_dec"], w["W_enc"]);
        using Tensor scale = w["r_mag"].exp();
        w["b_gate"] = Replace(w["b_gate"], w["b_gate"] + shift);
        w["b_mag"] = Replace(w["b_mag"], w["b_mag"] + shift * scale);
    }

    private static Tensor Replace(Tensor old, Tensor replacement)
    {
        old.Dispose();
        return replacement;
    }
}

/// <summary>One loadable architecture.</summary>
/// <param name="Name">The SAELens <c>architecture</c> string.</param>
/// <param name="Create">Builds an SAE of this architecture (<c>d_in</c>, <c>d_sae</c>, device, dtype) whose parameters are then overwritten.</param>
/// <param name="FoldDecoderBiasIntoEncoder">
/// Rewrites the encoder biases of a SAELens state dict (float64 tensors by SAELens name) saved with
/// <c>apply_b_dec_to_input = false</c> so that this library's encoder, which always subtracts <c>b_dec</c>, computes the
/// same features.
/// </param>
internal sealed record SaeLensArchitecture(
    string Name,
    Func<int, int, Device, ScalarType, ISparseAutoencoder> Create,
    Action<IDictionary<string, Tensor>> FoldDecoderBiasIntoEncoder);
