using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>
/// Hand-set float64 TopK, BatchTopK and JumpReLU SAEs. The tests work every expected number out by hand in comments.
/// </summary>
internal static class TinySparseSaes
{
    // Shared by TopK and BatchTopK, d_in 2, d_sae 4:
    //   W_enc = [[1, 0, −1, 2], [0, 1, 1, −1]] (columns c0 = (1, 0), c1 = (0, 1), c2 = (−1, 1), c3 = (2, −1)),
    //   b_enc = [0, 0.5, 0, −0.5], W_dec rows (1, 0), (0, 1), (1, 1), (0.5, −0.5), b_dec = (1, 0).
    private static void SetTopKWeights(ISparseAutoencoder sae)
    {
        TinySaes.Set(sae, "W_enc", tensor(new double[,] { { 1, 0, -1, 2 }, { 0, 1, 1, -1 } }));
        TinySaes.Set(sae, "b_enc", tensor(new double[] { 0, 0.5, 0, -0.5 }));
        TinySaes.Set(sae, "W_dec", tensor(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 0.5, -0.5 } }));
        TinySaes.Set(sae, "b_dec", tensor(new double[] { 1, 0 }));
    }

    /// <summary>The shared weights with k = 2.</summary>
    public static TopKSae TopK()
    {
        var sae = new TopKSae(2, 4, k: 2, dtype: ScalarType.Float64);
        SetTopKWeights(sae);
        return sae;
    }

    /// <summary>
    /// Three tokens for <see cref="TopK"/>: x = [[3, 1], [2, 0.5], [0, −0.75]], so x − b_dec = [[2, 1], [1, 0.5], [−1, −0.75]]
    /// and pre = [[2, 1.5, −1, 2.5], [1, 1, −0.5, 1], [−1, −0.25, 0.25, −1.75]].
    /// </summary>
    public static Tensor TopKInput() => tensor(new double[,] { { 3, 1 }, { 2, 0.5 }, { 0, -0.75 } });

    /// <summary>The shared weights with k = 2 per token (a batch of 3 keeps 6).</summary>
    public static BatchTopKSae BatchTopK(double? thresholdDecay = 0.999, int? thresholdStartStep = 1000)
    {
        var sae = new BatchTopKSae(2, 4, k: 2, dtype: ScalarType.Float64) { ThresholdDecay = thresholdDecay, ThresholdStartStep = thresholdStartStep };
        SetTopKWeights(sae);
        return sae;
    }

    /// <summary>
    /// Three tokens for <see cref="BatchTopK"/>: x = [[3, 1], [2, 0.5], [2, −0.5]], so x − b_dec = [[2, 1], [1, 0.5], [1, −0.5]],
    /// pre = [[2, 1.5, −1, 2.5], [1, 1, −0.5, 1], [1, 0, −1.5, 2]] and ReLU(pre) = [[2, 1.5, 0, 2.5], [1, 1, 0, 1], [1, 0, 0, 2]].
    /// </summary>
    public static Tensor BatchTopKInput() => tensor(new double[,] { { 3, 1 }, { 2, 0.5 }, { 2, -0.5 } });

    /// <summary>
    /// JumpReluSae d_in 2, d_sae 3: W_enc = [[1, −1, 0.5], [1, 2, −1]], b_enc = [0, 0.1, 0.2], θ = [0.5, 1, 2]
    /// (log_threshold = log θ), W_dec rows (1, 0), (0, 1), (1, −1), b_dec = (0.5, 0.5).
    /// </summary>
    public static JumpReluSae JumpRelu(double bandwidth = 0.001)
    {
        var sae = new JumpReluSae(2, 3, dtype: ScalarType.Float64, bandwidth: bandwidth);
        TinySaes.Set(sae, "W_enc", tensor(new double[,] { { 1, -1, 0.5 }, { 1, 2, -1 } }));
        TinySaes.Set(sae, "b_enc", tensor(new double[] { 0, 0.1, 0.2 }));
        TinySaes.Set(sae, "log_threshold", tensor(new[] { Math.Log(0.5), Math.Log(1), Math.Log(2) }));
        TinySaes.Set(sae, "W_dec", tensor(new double[,] { { 1, 0 }, { 0, 1 }, { 1, -1 } }));
        TinySaes.Set(sae, "b_dec", tensor(new double[] { 0.5, 0.5 }));
        return sae;
    }

    /// <summary>
    /// Two tokens for <see cref="JumpRelu"/>: x = [[1.5, 1], [3.5, −0.5]], so x − b_dec = [[1, 0.5], [3, −1]] and
    /// pre = [[1.5, 0.1, 0.2], [2, −4.9, 2.7]].
    /// </summary>
    public static Tensor JumpReluInput() => tensor(new double[,] { { 1.5, 1 }, { 3.5, -0.5 } });
}
