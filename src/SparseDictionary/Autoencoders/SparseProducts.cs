using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The non-zero entries of a <c>[rows, cols]</c> matrix in row-major order (CSR with explicit row indices), and the
/// products with dense matrices a sparse SAE step needs, through <c>embedding_bag</c> (gather and weighted sum of rows
/// in one kernel, on any device).
/// </summary>
/// <remarks>
/// Measured on LibTorch 2.10 CPU (2 threads, batch 4096, 4096 latents, d_in 512, 2% active): <c>embedding_bag</c> does
/// the decoder product in ~25 ms against ~230 ms for the dense matmul and ~60 ms for a sparse COO <c>mm</c>; gathering
/// rows for <c>index_add_</c> or a sampled product materialises <c>nnz × d_in</c> values and is slower than the dense
/// matmul. See docs/performance.md.
/// </remarks>
internal sealed class SparseRows : IDisposable
{
    private SparseRows(long rowCount, long columnCount, Tensor rows, Tensor columns, Tensor values)
    {
        RowCount = rowCount;
        ColumnCount = columnCount;
        Rows = rows;
        Columns = columns;
        Values = values;
        var counts = bincount(rows, minlength: rowCount);
        Offsets = counts.cumsum(0).sub_(counts);
    }

    /// <summary>Number of rows of the matrix.</summary>
    public long RowCount { get; }

    /// <summary>Number of columns of the matrix.</summary>
    public long ColumnCount { get; }

    /// <summary>Row of each non-zero entry (non-decreasing), int64 <c>[nnz]</c>.</summary>
    public Tensor Rows { get; }

    /// <summary>Column of each non-zero entry, int64 <c>[nnz]</c>.</summary>
    public Tensor Columns { get; }

    /// <summary>Value of each non-zero entry <c>[nnz]</c>.</summary>
    public Tensor Values { get; }

    /// <summary>Index of each row's first entry, int64 <c>[rows]</c> (the bags of <c>embedding_bag</c>).</summary>
    public Tensor Offsets { get; }

    /// <summary>Number of non-zero entries.</summary>
    public long Count => Rows.shape[0];

    /// <summary>The non-zero entries of a 2-D tensor (no gradient).</summary>
    public static SparseRows FromDense(Tensor matrix)
    {
        using var _ = no_grad();
        var nz = matrix.nonzero();
        var rows = nz.select(1, 0).contiguous();
        var columns = nz.select(1, 1).contiguous();
        var values = matrix.reshape(-1).index_select(0, rows * matrix.shape[1] + columns);
        return new SparseRows(matrix.shape[0], matrix.shape[1], rows, columns, values);
    }

    /// <summary>The same entries with rows and columns swapped (a stable sort by column), with new values.</summary>
    /// <param name="order">The permutation applied (entry <c>i</c> of the result is entry <c>order[i]</c> here).</param>
    public SparseRows Transpose(out Tensor order)
    {
        order = Columns.sort(dim: 0, stable: true).Indices;
        return new SparseRows(ColumnCount, RowCount, Columns.index_select(0, order), Rows.index_select(0, order), Values.index_select(0, order));
    }

    /// <summary>
    /// <c>S · dense</c> for this sparse <c>S [rows, cols]</c> with entries <paramref name="values"/> (default
    /// <see cref="Values"/>) and <paramref name="dense"/> <c>[cols, n]</c>: row <c>r</c> of the result is
    /// <c>Σ values[e] · dense[column[e]]</c> over the row's entries.
    /// </summary>
    public Tensor Multiply(Tensor dense, Tensor? values = null)
    {
        using var bag = nn.EmbeddingBag_from_pretrained(dense.detach(), freeze: true, mode: EmbeddingBagMode.Sum);
        return bag.forward(Columns, Offsets, values ?? Values);
    }

    /// <summary>
    /// Row <c>t</c> of the result is <c>Σⱼ weights[t, j] · table[indices[t, j]]</c>: a fixed number of entries per row
    /// (TopK features). Differentiable in <paramref name="table"/> and <paramref name="weights"/>.
    /// </summary>
    public static Tensor GatherSum(Tensor table, Tensor indices, Tensor weights)
    {
        long rows = indices.shape[0], perRow = indices.shape[1];
        using var offsets = arange(0, rows * perRow, perRow, dtype: ScalarType.Int64, device: indices.device);
        // The module shares the table's storage (and, for a parameter, its autograd identity); freeze only when the
        // table needs no gradient, so a parameter's flag is left as it is.
        using var bag = nn.EmbeddingBag_from_pretrained(table, freeze: !table.requires_grad, mode: EmbeddingBagMode.Sum);
        return bag.forward(indices.reshape(-1), offsets, weights.reshape(-1));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Rows.Dispose();
        Columns.Dispose();
        Values.Dispose();
        Offsets.Dispose();
    }
}
