using System.Globalization;
using SparseDictionary.Autoencoders;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Benchmarks.Harness;

/// <summary>
/// The hot path of each architecture (encode, decode, forward, training step) at each shape, with a plain matmul of the
/// same shapes measured in the same run, so each result is also a fraction of the GEMM roofline.
/// </summary>
internal static class RooflineTable
{
    public static void Run(HarnessArgs a, Report report, IReadOnlyList<Device> devices)
    {
        int batch = a.Int("--batch", 4096);
        var shapes = a.Flag("--big")
            ? new (int DIn, int Expansion)[] { (512, 8), (512, 32), (4096, 8), (4096, 32) }
            : [(512, 8)];
        if (a.Value("--shapes") is { } custom)
        {
            shapes = custom.Split(',').Select(s => s.Split('x')).Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture))).ToArray();
        }
        var architectures = a.List("--arch", StandardArchitecture.ArchitectureName, GatedArchitecture.ArchitectureName, TopKArchitecture.ArchitectureName);
        var dtypes = a.List("--dtype", "float32", "bfloat16");
        int repeats = a.Int("--repeats", 5);
        foreach (var device in devices)
        {
            foreach (var dtypeName in dtypes)
            {
                var dtype = dtypeName == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;
                foreach (var (dIn, expansion) in shapes)
                {
                    int dSae = dIn * expansion;
                    string shape = $"{dIn}×{expansion} (d_sae {dSae}), batch {batch}";
                    double peak = MatmulPeak(report, device, dtype, dtypeName, batch, dIn, dSae, shape, repeats);
                    foreach (var arch in architectures)
                    {
                        // bf16: only the standard SAE (the others add nothing new about the dtype and double the run).
                        if (dtype == ScalarType.BFloat16 && arch != StandardArchitecture.ArchitectureName) continue;
                        Architecture(report, arch, dIn, expansion, batch, device, dtype, dtypeName, shape, peak, repeats);
                    }
                }
            }
        }
    }

    /// <summary>Best FLOP rate of the two matmul shapes an SAE uses, <c>[B,d_in]×[d_in,d_sae]</c> and <c>[B,d_sae]×[d_sae,d_in]</c>.</summary>
    private static double MatmulPeak(Report report, Device device, ScalarType dtype, string dtypeName, int batch, int dIn, int dSae, string shape, int repeats)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(2);
        var x = randn(new long[] { batch, dIn }, generator: gen).to(dtype, device);
        var w = randn(new long[] { dIn, dSae }, generator: gen).to(dtype, device);
        var f = randn(new long[] { batch, dSae }, generator: gen).to(dtype, device);
        var wd = randn(new long[] { dSae, dIn }, generator: gen).to(dtype, device);
        double flops = 2.0 * batch * dIn * dSae;
        var t1 = Timing.Measure(() => x.mm(w), device, 1, repeats);
        var t2 = Timing.Measure(() => f.mm(wd), device, 1, repeats);
        double peak = flops / Math.Min(t1.Seconds, t2.Seconds);
        report.Add(new Measurement("hot path", device.ToString(), dtypeName, shape, "matmul [B,d_in]×[d_in,d_sae]", t1.Seconds, flops, peak, t1.Note()));
        report.Add(new Measurement("hot path", device.ToString(), dtypeName, shape, "matmul [B,d_sae]×[d_sae,d_in]", t2.Seconds, flops, peak, t2.Note("peak = the faster of the two")));
        return peak;
    }

    private static void Architecture(Report report, string arch, int dIn, int expansion, int batch, Device device, ScalarType dtype, string dtypeName, string shape, double peak, int repeats)
    {
        using var w = new SaeWorkload(arch, dIn, expansion, batch, device, dtype);
        void Add(string op, Action body, double flops, string note = "")
        {
            var timed = Timing.Measure(body, device, 1, repeats);
            report.Add(new Measurement("hot path", device.ToString(), dtypeName, shape, $"{arch} {op}", timed.Seconds, flops, peak, timed.Note(note)));
        }
        Add("encode", w.Encode, w.EncodeFlops);
        Add("decode", w.Decode, w.DecodeFlops);
        Add("forward", w.Forward, w.ForwardFlops);
        Add("step (autograd)", w.AutogradStep, w.StepFlops, "forward, loss, backward, Adam, decoder renorm");
        if (arch == StandardArchitecture.ArchitectureName)
        {
            var dense = w.NewClosedFormStep(maxActivity: 0);
            Add("step (closed form, dense)", () => w.ClosedFormStep(dense), w.StepFlops, "closed-form gradients, 5 matmuls");
        }
        if (arch == TopKArchitecture.ArchitectureName)
        {
            var topk = (TopKSae)w.Sae;
            Tensor indices, values;
            using (no_grad())
            {
                (indices, values) = topk.EncodeSparse(w.X);
                indices = indices.DetachFromDisposeScope();
                values = values.DetachFromDisposeScope();
            }
            Add($"decode sparse (k {topk.K})", () => { using var _ = no_grad(); topk.DecodeSparse(indices, values); }, w.DecodeFlops, "gathers the k active decoder rows");
            indices.Dispose();
            values.Dispose();
        }
    }
}
