using System.Globalization;
using SparseDictionary.Autoencoders;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Benchmarks.Harness;

/// <summary>
/// The standard SAE's training step at several activity levels (L0 / d_sae, set through the encoder bias): autograd,
/// the closed-form step with dense matmuls, and with sparse products; and TopK decode, dense vs sparse, at several k.
/// </summary>
internal static class SparseStepSweep
{
    public static void Run(HarnessArgs a, Report report, IReadOnlyList<Device> devices)
    {
        int batch = a.Int("--batch", 4096), dIn = a.Int("--d-in", 512), expansion = a.Int("--expansion", 8), repeats = a.Int("--repeats", 5);
        var activities = a.Doubles("--activities", 0.005, 0.01, 0.02, 0.05, 0.1, 0.2);
        foreach (var device in devices)
        {
            using var w = new SaeWorkload(StandardArchitecture.ArchitectureName, dIn, expansion, batch, device, ScalarType.Float32);
            string shape = $"{dIn}×{expansion} (d_sae {w.DSae}), batch {batch}";
            var sparse = w.NewClosedFormStep(maxActivity: 1);
            var dense = w.NewClosedFormStep(maxActivity: 0);
            foreach (double target in activities)
            {
                double activity = w.SetActivity(target);
                string at = string.Create(CultureInfo.InvariantCulture, $"L0/d_sae {activity:P2} (L0 {activity * w.DSae:F0})");
                double tAutograd = Timing.Median(w.AutogradStep, device, 1, repeats);
                double tDense = Timing.Median(() => w.ClosedFormStep(dense), device, 1, repeats);
                double tSparse = Timing.Median(() => w.ClosedFormStep(sparse), device, 1, repeats);
                report.Add(new Measurement("sparse step", device.ToString(), "float32", shape, $"autograd step, {at}", tAutograd, w.StepFlops, 0, Activity: activity));
                report.Add(new Measurement("sparse step", device.ToString(), "float32", shape, $"closed-form dense step, {at}", tDense, w.StepFlops, 0,
                    string.Create(CultureInfo.InvariantCulture, $"{tAutograd / tDense:F2}× autograd"), activity));
                report.Add(new Measurement("sparse step", device.ToString(), "float32", shape, $"closed-form sparse step, {at}", tSparse, w.StepFlops, 0,
                    string.Create(CultureInfo.InvariantCulture, $"{tAutograd / tSparse:F2}× autograd, {tDense / tSparse:F2}× closed-form dense"), activity));
            }

            foreach (int divisor in new[] { 16, 64, 256 })
            {
                int k = w.DSae / divisor;
                using var scope = NewDisposeScope();
                using var gen = new Generator(5);
                using var topk = new TopKSae(dIn, w.DSae, k, device, ScalarType.Float32, gen);
                using var _ = no_grad();
                var f = topk.Encode(w.X);
                var (indices, values) = topk.EncodeSparse(w.X);
                double tDense = Timing.Median(() => topk.Decode(f), device, 1, repeats);
                double tSparse = Timing.Median(() => topk.DecodeSparse(indices, values), device, 1, repeats);
                double maxError = (topk.Decode(f) - topk.DecodeSparse(indices, values)).abs().max().ToDouble();
                string at = $"k {k} = d_sae/{divisor}";
                report.Add(new Measurement("topk decode", device.ToString(), "float32", shape, $"dense decode, {at}", tDense, w.DecodeFlops, 0));
                report.Add(new Measurement("topk decode", device.ToString(), "float32", shape, $"sparse decode, {at}", tSparse, w.DecodeFlops, 0,
                    string.Create(CultureInfo.InvariantCulture, $"{tDense / tSparse:F1}× dense; max |Δ| {maxError:G2}")));
            }
        }
    }
}
