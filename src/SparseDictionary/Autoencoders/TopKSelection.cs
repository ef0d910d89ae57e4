using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// Masks of the k largest values, with a fixed tie policy: exactly k entries are kept, and among entries equal to the
/// k-th largest value the ones with the lowest index are kept. <c>torch.topk</c> leaves ties to the implementation
/// (CPU and CUDA differ), so its indices are not used; its values only give the k-th largest value.
/// </summary>
internal static class TopKSelection
{
    /// <summary>Mask <c>[rows, cols]</c> (bool, no gradient) of the <paramref name="k"/> largest entries of each row.</summary>
    public static Tensor RowMask(Tensor values, long k)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var kth = values.topk((int)k, dim: 1, largest: true, sorted: false).values.amin(new long[] { 1 }, keepdim: true);
        return KeepMask(values, kth, k, dim: 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mask of the same shape as <paramref name="values"/> (bool, no gradient) of the <paramref name="k"/> largest entries
    /// of the whole tensor; ties are broken by the lowest row-major index.
    /// </summary>
    public static Tensor GlobalMask(Tensor values, long k)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var flat = values.flatten();
        // The k-th largest is the (n − k + 1)-th smallest; kthvalue finds it without sorting k·B values.
        var kth = flat.kthvalue(flat.shape[0] - k + 1, dim: 0, keepdim: true).values;
        return KeepMask(flat, kth, k, dim: 0).reshape(values.shape).MoveToOuterDisposeScope();
    }

    // Keeps everything above the k-th value, then the first (k − #above) entries equal to it along dim.
    private static Tensor KeepMask(Tensor values, Tensor kth, long k, long dim)
    {
        // Fast path, the usual case: no tie at the k-th value, so "≥ k-th" already selects exactly k everywhere.
        var atLeast = values >= kth;
        if (atLeast.sum(dim).eq(k).all().item<bool>()) return atLeast;
        var above = values > kth;
        var tied = values == kth;
        var room = k - above.sum(dim, keepdim: true);
        var tieRank = tied.to(ScalarType.Int64).cumsum(dim);
        return above.logical_or(tied.logical_and(tieRank <= room));
    }
}
