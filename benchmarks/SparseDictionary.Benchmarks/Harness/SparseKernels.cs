using System.Globalization;
using SparseDictionary.Autoencoders;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Benchmarks.Harness;

/// <summary>
/// Exploration: how fast LibTorch CPU does the products of a sparse training step (decoder forward, <c>fᵀg</c>,
/// the sampled <c>g W_decᵀ</c>) by each available route, against the dense matmul, at several activity levels.
/// </summary>
internal static class SparseKernels
{
    /// <summary>Time of each piece of the closed-form sparse step at a few activity levels.</summary>
    public static void Breakdown(int batch, int dIn, int dSae, Device device)
    {
        using var w = new SaeWorkload(StandardArchitecture.ArchitectureName, dIn, dSae / dIn, batch, device, ScalarType.Float32);
        var sae = (StandardSae)w.Sae;
        foreach (double p in new[] { 0.01, 0.02, 0.05 })
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            double activity = w.SetActivity(p);
            var x = w.X;
            var xc = x - sae.DecoderBias;
            var pre = addmm(sae.EncoderBias, xc, sae.EncoderWeight, 1, 1);
            var f = nn.functional.relu(pre);
            var features = SparseRows.FromDense(f);
            var recon = features.Multiply(sae.DecoderWeight);
            var g = (recon - x) * (2.0 / batch);
            var byLatent = features.Transpose(out var order);
            var dz = g.mm(sae.DecoderWeight.t()).reshape(-1).index_select(0, features.Rows * dSae + features.Columns);
            var gradWEnc = byLatent.Multiply(xc, dz.index_select(0, order));
            var target = zeros(dIn, dSae);
            double t(Action a) => Timing.Median(a, device, 1, 3);
            var parts = new (string, double)[]
            {
                ("encoder addmm", t(() => addmm(sae.EncoderBias, xc, sae.EncoderWeight, 1, 1))),
                ("relu", t(() => nn.functional.relu(pre))),
                ("count_nonzero", t(() => f.count_nonzero())),
                ("structure (nonzero, values, offsets)", t(() => SparseRows.FromDense(f).Dispose())),
                ("decoder ebag", t(() => features.Multiply(sae.DecoderWeight))),
                ("transpose (sort)", t(() => { features.Transpose(out var o).Dispose(); })),
                ("fT g ebag", t(() => byLatent.Multiply(g))),
                ("g W_decT dense + pick", t(() => SampledProduct.Dense(g, sae.DecoderWeight, features.Rows, features.Columns))),
                ("g W_decT sampled (SIMD loop)", t(() => SampledProduct.Compute(g, sae.DecoderWeight, features.Rows, features.Columns))),
                ("xcT dz ebag", t(() => byLatent.Multiply(xc, dz.index_select(0, order)))),
                ("W_enc grad transpose copy", t(() => target.copy_(gradWEnc.t()))),
                ("b_enc index_add", t(() => zeros(dSae).index_add_(0, features.Columns, dz, 1.0))),
                ("whole closed-form sparse step", t(() => w.ClosedFormStep(w.NewClosedFormStep(1)))),
                ("whole autograd step", t(() => { using var on = enable_grad(); w.AutogradStep(); })),
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"breakdown at activity {activity:P2}: ") + string.Join("; ", parts.Select(q => string.Create(CultureInfo.InvariantCulture, $"{q.Item1} {q.Item2 * 1000:F1} ms"))));
        }
    }

    public static void Run(int batch, int dIn, int dSae, Device device)
    {
        Breakdown(batch, dIn, dSae, device);
        var gen = new Generator(3);
        var wDec = randn(new long[] { dSae, dIn }, generator: gen).to(device);
        var g = randn(new long[] { batch, dIn }, generator: gen).to(device);
        Console.WriteLine($"sparse kernels: batch {batch}, d_in {dIn}, d_sae {dSae}; seconds (median)");
        Console.WriteLine("activity  dense-mm  ebag-fwd  coo-fwd  dense-fTg  ebag-fTg  coo-fTg  idxadd-fTg  dense-samp  gather-samp  bmm-samp  structure  structT");
        foreach (double p in new[] { 0.01, 0.02 })
        {
            using var scope = NewDisposeScope();
            var f = (rand(new long[] { batch, dSae }, generator: gen).to(device) < p).to(ScalarType.Float32) * rand(new long[] { batch, dSae }, generator: gen).to(device);
            double t(Action a) => Timing.Median(a, device, 1, 5);
            Tensor rows = null!, cols = null!, vals = null!, offsets = null!, order = null!, offsetsT = null!;
            double structure = t(() =>
            {
                var nz = f.nonzero();
                rows = nz[.., 0].contiguous().DetachFromDisposeScope();
                cols = nz[.., 1].contiguous().DetachFromDisposeScope();
                vals = f.view(-1).index_select(0, rows * dSae + cols).DetachFromDisposeScope();
                var counts = (f > 0).sum(1);
                offsets = (counts.cumsum(0) - counts).DetachFromDisposeScope();
            });
            double structT = t(() =>
            {
                order = cols.sort(dim: 0, stable: true).Indices.DetachFromDisposeScope();
                var counts = bincount(cols, minlength: dSae);
                offsetsT = (counts.cumsum(0) - counts).DetachFromDisposeScope();
            });
            var rowsT = rows.index_select(0, order);
            var valsT = vals.index_select(0, order);
            long nnz = rows.shape[0];

            double denseMm = t(() => f.mm(wDec));
            var bag = nn.EmbeddingBag_from_pretrained(wDec.detach(), mode: EmbeddingBagMode.Sum);
            double ebagFwd = t(() => bag.forward(cols, offsets, vals));
            var coo = sparse_coo_tensor(stack(new[] { rows, cols }), vals, new long[] { batch, dSae });
            double cooFwd = t(() => coo.mm(wDec));
            // check
            double err = (bag.forward(cols, offsets, vals) - f.mm(wDec)).abs().max().ToDouble();

            double denseFtg = t(() => f.t().mm(g));
            var bagG = nn.EmbeddingBag_from_pretrained(g.detach(), mode: EmbeddingBagMode.Sum);
            double ebagFtg = t(() => bagG.forward(rowsT, offsetsT, valsT));
            var cooT = sparse_coo_tensor(stack(new[] { cols, rows }), vals, new long[] { dSae, batch });
            double cooFtg = t(() => cooT.mm(g));
            double idxAdd = t(() =>
            {
                var acc = zeros(dSae, dIn, device: device);
                const long chunk = 16384;
                for (long s = 0; s < nnz; s += chunk)
                {
                    long e = Math.Min(nnz, s + chunk);
                    acc.index_add_(0, cols.narrow(0, s, e - s), g.index_select(0, rows.narrow(0, s, e - s)) * vals.narrow(0, s, e - s).unsqueeze(1), 1.0);
                }
            });
            double err2 = (bagG.forward(rowsT, offsetsT, valsT) - f.t().mm(g)).abs().max().ToDouble();

            double denseSamp = t(() => g.mm(wDec.t()).view(-1).index_select(0, rows * dSae + cols));
            double gatherSamp = t(() =>
            {
                const long chunk = 8192;
                var outs = new List<Tensor>();
                for (long s = 0; s < nnz; s += chunk)
                {
                    long e = Math.Min(nnz, s + chunk);
                    outs.Add((g.index_select(0, rows.narrow(0, s, e - s)) * wDec.index_select(0, cols.narrow(0, s, e - s))).sum(1));
                }
                cat(outs, 0);
            });
            // Per token padded: [B, kmax] latent ids, then bmm of gathered rows with g.
            var counts0 = (f > 0).sum(1);
            long kmax = counts0.max().ToInt64();
            double bmmSamp = t(() =>
            {
                var pos = arange(nnz, device: device) - offsets.index_select(0, rows);
                var padded = zeros(new long[] { batch, kmax }, dtype: ScalarType.Int64, device: device);
                padded.index_put_(cols, rows, pos);
                const long chunk = 256;
                var outs = new List<Tensor>();
                for (long s = 0; s < batch; s += chunk)
                {
                    var idx = padded.narrow(0, s, chunk);
                    var w = wDec.index_select(0, idx.reshape(-1)).view(chunk, kmax, dIn);
                    outs.Add(w.bmm(g.narrow(0, s, chunk).unsqueeze(2)).squeeze(2));
                }
                cat(outs, 0);
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p,8:P1}  {denseMm,8:F4}  {ebagFwd,8:F4}  {cooFwd,7:F4}  {denseFtg,9:F4}  {ebagFtg,8:F4}  {cooFtg,7:F4}  {idxAdd,10:F4}  {denseSamp,10:F4}  {gatherSamp,11:F4}  {bmmSamp,8:F4}  {structure,9:F4}  {structT,7:F4}   (nnz {nnz}, kmax {kmax}, err {err:G2}/{err2:G2})"));
            foreach (var x in new[] { rows, cols, vals, offsets, order, offsetsT }) x.Dispose();
            bag.Dispose(); bagG.Dispose();
        }
    }
}
