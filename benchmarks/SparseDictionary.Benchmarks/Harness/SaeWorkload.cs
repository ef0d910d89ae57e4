using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Benchmarks.Harness;

/// <summary>
/// One SAE, one batch, an optimizer: the operations the benchmarks time (encode, decode, forward, and a full training
/// step: forward, loss, backward, Adam, decoder renormalisation), by autograd or by the closed-form standard step.
/// </summary>
internal sealed class SaeWorkload : IDisposable
{
    private readonly SaeLoss _loss;
    private readonly AdamOptimizer _optimizer;
    private readonly Tensor _features;

    public SaeWorkload(string architecture, int dIn, int expansion, int batch, Device device, ScalarType dtype, ulong seed = 1)
    {
        Architecture = architecture;
        DIn = dIn;
        DSae = dIn * expansion;
        Batch = batch;
        Device = device;
        using var generator = new Generator(seed);
        Sae = Create(architecture, dIn, DSae, device, dtype, generator);
        _loss = SpecFor(architecture, DSae).CreateLoss(Sae, new TrainerOptions());
        _optimizer = new AdamOptimizer(Sae.NamedParameters);
        X = randn(new long[] { batch, dIn }, generator: generator).to(dtype, device).DetachFromDisposeScope();
        using (no_grad()) _features = Sae.Encode(X).DetachFromDisposeScope();
    }

    public string Architecture { get; }
    public int DIn { get; }
    public int DSae { get; }
    public int Batch { get; }
    public Device Device { get; }
    public ISparseAutoencoder Sae { get; }
    public Tensor X { get; }

    /// <summary>TopK's k: d_sae / 64 (the sparse-decode target ratio).</summary>
    public static int TopKFor(int dSae) => Math.Max(1, dSae / 64);

    /// <summary>The registered architecture's default spec, with k = <see cref="TopKFor"/> for the TopK family.</summary>
    public static ArchitectureSpec SpecFor(string architecture, int dSae) => SaeArchitectures.Get(architecture).DefaultSpec switch
    {
        TopKFamilySpec topK => topK with { K = TopKFor(dSae) },
        var spec => spec,
    };

    public static ISparseAutoencoder Create(string architecture, int dIn, int dSae, Device device, ScalarType dtype, Generator generator) =>
        SpecFor(architecture, dSae).CreateSae(dIn, dSae, device, dtype, generator);

    /// <summary>Matmul FLOPs of one encode (Gated too: the gate and magnitude paths share one product).</summary>
    public double EncodeFlops => 2.0 * Batch * DIn * DSae;

    /// <summary>Matmul FLOPs of one dense decode.</summary>
    public double DecodeFlops => 2.0 * Batch * DIn * DSae;

    /// <summary>Forward FLOPs: encode and decode.</summary>
    public double ForwardFlops => EncodeFlops + DecodeFlops;

    /// <summary>
    /// Training-step FLOPs, dense-equivalent: the usual 3× the forward (forward, then two products per product in the
    /// backward); Gated adds its auxiliary loss's frozen-decoder product and that product's input gradient.
    /// </summary>
    public double StepFlops => 3.0 * ForwardFlops + (Sae is GatedSae ? 2.0 * DecodeFlops : 0);

    public void Encode() { using var _ = no_grad(); Sae.Encode(X); }

    public void Decode() { using var _ = no_grad(); Sae.Decode(_features); }

    public void Forward() { using var _ = no_grad(); Sae.Forward(X); }

    /// <summary>A training step by autograd (as the trainer does with <see cref="SparseStepMode.Off"/>).</summary>
    public void AutogradStep()
    {
        var forward = Sae.Forward(X);
        var loss = _loss.Compute(X, forward, Sae);
        _optimizer.ZeroGrad();
        loss.Total.backward();
        Finish();
    }

    /// <summary>A training step by the closed-form standard step (standard SAE only).</summary>
    public void ClosedFormStep(SparseStandardStep step)
    {
        step.Run(X);
        Finish();
    }

    /// <summary>The closed-form step with the default loss, sparse when activity ≤ <paramref name="maxActivity"/>.</summary>
    public SparseStandardStep NewClosedFormStep(double maxActivity) =>
        new((StandardSae)Sae, 1.0, "mse_loss", new StandardSpec().L1Coefficient, "l1_loss", maxActivity);

    /// <summary>Sets the encoder bias so that about <paramref name="activity"/> of the batch's features are active.</summary>
    public double SetActivity(double activity)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var standard = (StandardSae)Sae;
        standard.EncoderBias.zero_();
        var pre = (X.narrow(0, 0, Math.Min(Batch, 256)) - standard.DecoderBias).mm(standard.EncoderWeight).to(ScalarType.Float64);
        standard.EncoderBias.sub_(pre.flatten().quantile(1 - activity).to(standard.EncoderBias.dtype));
        return (Sae.Encode(X) > 0).to(ScalarType.Float64).mean().ToDouble();
    }

    private void Finish()
    {
        DecoderNorm.RemoveParallelGradient(Sae.DecoderWeight);
        _optimizer.Step(1e-6);
        DecoderNorm.NormalizeRows(Sae.DecoderWeight);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        Sae.Dispose();
        X.Dispose();
        _features.Dispose();
    }
}
