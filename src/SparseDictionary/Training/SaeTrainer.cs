using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using SparseDictionary.Runtime;
using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>
/// Trains an <see cref="ISparseAutoencoder"/> on a stream of activations: Adam, the learning-rate schedule and
/// sparsity warm-up, the decoder-norm policy, geometric-median <c>b_dec</c> initialisation, activation
/// normalisation (folded back into the weights when training ends), neuron resampling, the dead-latent statistics
/// loss terms read through a <see cref="LossContext"/> (AuxK), and the architecture's <see cref="ITrainingHooks"/>
/// (BatchTopK's batch-level top-k and threshold).
/// </summary>
/// <remarks>The SAE is trained in place, on its own device and dtype; batches are moved there.</remarks>
public sealed class SaeTrainer
{
    private readonly ISparseAutoencoder _sae;
    private readonly TrainerOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a trainer; <paramref name="options"/> are validated here.</summary>
    public SaeTrainer(ISparseAutoencoder sae, TrainerOptions options, ILogger<SaeTrainer>? logger = null)
    {
        _sae = sae ?? throw new ArgumentNullException(nameof(sae));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
        NativeAllocator.Configure();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Loss = options.Loss ?? DefaultLoss(sae.Architecture, options);
    }

    /// <summary>The loss being minimised.</summary>
    public SaeLoss Loss { get; }

    /// <summary>
    /// The loss the papers use for <paramref name="architecture"/> under <paramref name="options"/>: <c>gated</c> →
    /// <see cref="SaeLosses.Gated"/>, <c>topk</c> and <c>batchtopk</c> → <see cref="SaeLosses.TopK"/> (reconstruction +
    /// AuxK), <c>jumprelu</c> → <see cref="SaeLosses.JumpRelu"/> (reconstruction + L0), anything else →
    /// <see cref="SaeLosses.Standard"/>.
    /// </summary>
    public static SaeLoss DefaultLoss(string architecture, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool weighted = options.DecoderNorm == DecoderNormPolicy.WeightedL1;
        return architecture switch
        {
            "gated" => SaeLosses.Gated(options.L1Coefficient, options.GatedLoss, weighted),
            "topk" or "batchtopk" => SaeLosses.TopK(options.AuxKCoefficient, options.AuxKLatents, options.AuxKDeadWindowTokens),
            "jumprelu" => SaeLosses.JumpRelu(options.L0Coefficient),
            _ => SaeLosses.Standard(options.L1Coefficient, weighted),
        };
    }

    /// <summary>Runs training until <see cref="TrainerOptions.TotalSteps"/>, the end of the source, or cancellation.</summary>
    public TrainingResult Train(IActivationSource source, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.DIn != _sae.DIn)
        {
            throw new ArgumentException($"The activation source has d_in {source.DIn} but the SAE expects {_sae.DIn}.", nameof(source));
        }
        var o = _options;
        long startPosition = source.Position;
        var replay = ReadInitializationBatches(source);
        if (replay.Count == 0) throw new ArgumentException("The activation source yielded no activations.", nameof(source));
        double scale = Initialize(replay);

        using var optimizer = new AdamOptimizer(_sae.NamedParameters, o.AdamBeta1, o.AdamBeta2, o.AdamEpsilon);
        using var statistics = new FiringStatistics(_sae.DSae, _sae.Device);
        using var generator = new Generator((ulong)o.Seed);
        var resampler = o.Resampling is null ? null : new NeuronResampler(o.Resampling);
        var schedule = o.Schedule;
        var curve = new List<TrainingCurvePoint>();
        var resamplings = new List<ResamplingEvent>();
        int? lastResampleStep = null;
        long tokens = 0;
        int step = 0;
        var endReason = TrainingEndReason.Completed;

        _logger.LogInformation("Training {Architecture} SAE {DIn}→{DSae} for {Steps} steps of {Batch} tokens, λ={L1}, lr={Lr}, scale={Scale:G4}",
            _sae.Architecture, _sae.DIn, _sae.DSae, o.TotalSteps, o.BatchSize, o.L1Coefficient, o.LearningRate, scale);

        // Loss terms see the firing statistics as they stood before the current batch.
        var context = new LossContext(statistics.DeadMask);
        var hooks = _sae as ITrainingHooks;
        var closedForm = SparseStandardStep.TryCreate(_sae, Loss, o);
        hooks?.OnTrainingStart();
        try
        {
            for (; step < o.TotalSteps; step++)
            {
                if (cancellationToken.IsCancellationRequested) { endReason = TrainingEndReason.Cancelled; break; }
                using var scope = NewDisposeScope();
                var raw = replay.Count > 0 ? replay.Dequeue() : source.NextBatch(o.BatchSize);
                if (raw is null) { endReason = TrainingEndReason.SourceExhausted; break; }
                var x = raw.to(_sae.DType, _sae.Device) * scale;
                raw.Dispose();

                double sparsityScale = o.L1WarmupSteps > 0 ? Math.Min(1.0, (step + 1.0) / o.L1WarmupSteps) : 1.0;
                var (forward, loss) = closedForm?.Run(x, sparsityScale) ?? AutogradStep(x, sparsityScale, context, optimizer);
                bool unitNorm = o.DecoderNorm == DecoderNormPolicy.UnitNormConstraint;
                if (unitNorm) DecoderNorm.RemoveParallelGradient(_sae.DecoderWeight);
                double rewarm = lastResampleStep is int since && step - since < resampler!.Options.RewarmSteps
                    ? (step - since + 1.0) / resampler.Options.RewarmSteps
                    : 1.0;
                double lr = o.LearningRate * schedule.Multiplier(step) * rewarm;
                optimizer.Step(lr);
                if (unitNorm) DecoderNorm.NormalizeRows(_sae.DecoderWeight);
                statistics.Update(forward.Features);
                if (hooks is not null)
                {
                    using (no_grad()) hooks.OnStepEnd(forward, step);
                }
                tokens += x.shape[0];

                double total = loss.Total.ToDouble();
                if (!double.IsFinite(total)) throw NonFiniteLoss(step, x, loss);
                if (step % o.LogEverySteps == 0 || step == o.TotalSteps - 1)
                {
                    curve.Add(CurvePoint(step, tokens, lr, sparsityScale, total, loss, forward, statistics.DeadFraction(o.DeadWindowTokens)));
                }
                progress?.Report(new TrainingProgress(step + 1, o.TotalSteps, tokens, total, lr));

                if (resampler is not null && (step + 1) % resampler.Options.IntervalSteps == 0 && step + 1 < o.TotalSteps
                    && (resampler.Options.MaxResamples is null || resamplings.Count < resampler.Options.MaxResamples))
                {
                    var sample = ReadTokens(source, resampler.Options.SampleTokens);
                    if (sample is null) continue;
                    var reset = resampler.Resample(_sae, optimizer, statistics.NotFiredSinceReset(), sample.to(_sae.DType, _sae.Device) * scale, generator);
                    statistics.ResetWindow();
                    statistics.MarkFresh(reset);
                    lastResampleStep = step + 1;
                    resamplings.Add(new ResamplingEvent(step + 1, (int)reset.shape[0]));
                    _logger.LogInformation("Step {Step}: resampled {Count} dead latents", step + 1, reset.shape[0]);
                }
            }
        }
        finally
        {
            hooks?.OnTrainingEnd();
        }
        foreach (var leftover in replay) leftover.Dispose();

        if (scale != 1.0) _sae.FoldInputScale(scale);
        _logger.LogInformation("Training ended after {Steps} steps ({Reason})", step, endReason);
        return new TrainingResult(step, source.Position - startPosition, scale, curve, resamplings, endReason);
    }

    /// <summary>Forward pass, loss and gradients by autograd (every architecture and loss).</summary>
    private (SaeForward, LossValue) AutogradStep(Tensor x, double sparsityScale, LossContext context, AdamOptimizer optimizer)
    {
        var forward = _sae.Forward(x);
        var loss = Loss.Compute(x, forward, _sae, sparsityScale, context);
        optimizer.ZeroGrad();
        loss.Total.backward();
        return (forward, loss);
    }

    private Queue<Tensor> ReadInitializationBatches(IActivationSource source)
    {
        var batches = new Queue<Tensor>();
        long read = 0;
        while (read < _options.InitializationTokens)
        {
            var batch = source.NextBatch(_options.BatchSize);
            if (batch is null) break;
            batches.Enqueue(batch.DetachFromDisposeScope());
            read += batch.shape[0];
        }
        return batches;
    }

    /// <summary>Estimates the normalisation scale and initialises <c>b_dec</c> from the first batches.</summary>
    private double Initialize(IEnumerable<Tensor> firstBatches)
    {
        using var scope = NewDisposeScope();
        var sample = cat(firstBatches.ToArray(), 0).to(_sae.DType, _sae.Device);
        double scale = _options.NormalizeActivations ? ActivationNormalizer.EstimateScale(sample) : 1.0;
        using var _ = no_grad();
        if (_options.InitializeDecoderBiasToGeometricMedian)
        {
            _sae.DecoderBias.copy_(GeometricMedian.Compute(sample * scale));
        }
        if (_options.DecoderNorm == DecoderNormPolicy.UnitNormConstraint) DecoderNorm.NormalizeRows(_sae.DecoderWeight);
        return scale;
    }

    private Tensor? ReadTokens(IActivationSource source, int count)
    {
        var parts = new List<Tensor>();
        long read = 0;
        while (read < count)
        {
            var batch = source.NextBatch((int)Math.Min(_options.BatchSize, count - read));
            if (batch is null) break;
            parts.Add(batch);
            read += batch.shape[0];
        }
        return parts.Count == 0 ? null : cat(parts, 0);
    }

    private static TrainingCurvePoint CurvePoint(int step, long tokens, double lr, double sparsityScale, double total, LossValue loss, SaeForward forward, double deadFraction)
    {
        var terms = loss.Terms.ToDictionary(kv => kv.Key, kv => kv.Value.ToDouble());
        double l0 = (forward.Features > 0).sum(1).to(ScalarType.Float64).mean().ToDouble();
        return new TrainingCurvePoint(step, tokens, lr, sparsityScale, total, terms, l0, deadFraction);
    }

    private static InvalidOperationException NonFiniteLoss(int step, Tensor x, LossValue loss)
    {
        string culprit = !x.isfinite().all().item<bool>()
            ? "the input activations contain NaN or Inf"
            : "non-finite term(s): " + string.Join(", ", loss.Terms.Where(t => !double.IsFinite(t.Value.ToDouble())).Select(t => t.Key));
        return new InvalidOperationException($"Training diverged at step {step}: {culprit}.");
    }
}
