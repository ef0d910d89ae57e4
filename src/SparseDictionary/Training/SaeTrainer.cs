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
/// <remarks>
/// The SAE is trained in place, on its own device and dtype; batches are moved there. The loss comes from the
/// architecture's spec (<see cref="ArchitectureSpec.CreateLoss"/>) or is given. The trainer does not tune the process's
/// allocator: executables call <see cref="NativeAllocator.Configure"/> at start-up (docs/performance.md).
/// </remarks>
public sealed class SaeTrainer
{
    private readonly ISparseAutoencoder _sae;
    private readonly TrainerOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a trainer with an explicit loss; <paramref name="options"/> are validated here.</summary>
    /// <param name="sae">The SAE, trained in place.</param>
    /// <param name="loss">The loss (a custom composition, or <see cref="ArchitectureSpec.CreateLoss"/>).</param>
    /// <param name="options">The run.</param>
    /// <param name="logger">Where progress and events are logged.</param>
    public SaeTrainer(ISparseAutoencoder sae, SaeLoss loss, TrainerOptions options, ILogger<SaeTrainer>? logger = null)
    {
        _sae = sae ?? throw new ArgumentNullException(nameof(sae));
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Creates a trainer whose loss is the one <paramref name="spec"/>'s architecture trains with
    /// (<see cref="ArchitectureSpec.CreateLoss"/>); <paramref name="options"/> are validated here.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is of another architecture than <paramref name="sae"/>.</exception>
    public SaeTrainer(ISparseAutoencoder sae, ArchitectureSpec spec, TrainerOptions options, ILogger<SaeTrainer>? logger = null)
        : this(sae, LossOf(sae, spec, options), options, logger)
    {
    }

    /// <summary>The loss being minimised.</summary>
    public SaeLoss Loss { get; }

    private static SaeLoss LossOf(ISparseAutoencoder sae, ArchitectureSpec spec, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (spec.Architecture.Name != sae.Architecture)
        {
            throw new ArgumentException($"A {spec.Architecture.Name} spec cannot train a {sae.Architecture} SAE.", nameof(spec));
        }
        spec.Validate();
        return spec.CreateLoss(sae, options);
    }

    /// <summary>Runs training until <see cref="TrainerOptions.TotalSteps"/>, the end of the source, or cancellation.</summary>
    /// <remarks>
    /// With <see cref="TrainerOptions.Checkpoint"/> set, a <see cref="TrainingCheckpoint"/> is saved every
    /// <see cref="CheckpointOptions.EverySteps"/> steps, when training ends, and when it is cancelled (by the token, checked before each
    /// step, or by an <see cref="OperationCanceledException"/> thrown from <paramref name="progress"/>, which is rethrown
    /// once the checkpoint is written); the source must then be an <see cref="IResumableActivationSource"/>.
    /// </remarks>
    /// <exception cref="TrainingDivergedException">NaN or ±Inf in a batch or the loss, under <see cref="NonFiniteBatchPolicy.Stop"/>.</exception>
    public TrainingResult Train(IActivationSource source, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => Run(source, null, progress, cancellationToken);

    /// <summary>
    /// Continues the run saved in <paramref name="checkpointFolder"/> (see <see cref="TrainingCheckpoint.Find"/>) on a freshly
    /// built <paramref name="source"/> and this trainer's SAE, whose parameters are overwritten. With the same options, SAE
    /// architecture and source construction, the result is bit for bit that of an uninterrupted run on the same device.
    /// </summary>
    /// <exception cref="TrainingCheckpointException">The checkpoint is missing, corrupted, or was written by another kind of run.</exception>
    public TrainingResult Resume(IActivationSource source, string checkpointFolder, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var checkpoint = TrainingCheckpoint.Load(checkpointFolder);
        return Run(source, checkpoint, progress, cancellationToken);
    }

    /// <summary>Continues the run saved in <paramref name="checkpoint"/>; see <see cref="Resume(IActivationSource, string, IProgress{TrainingProgress}?, CancellationToken)"/>.</summary>
    public TrainingResult Resume(IActivationSource source, TrainingCheckpoint checkpoint, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return Run(source, checkpoint, progress, cancellationToken);
    }

    private TrainingResult Run(IActivationSource source, TrainingCheckpoint? resume, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.DIn != _sae.DIn)
        {
            throw new ArgumentException($"The activation source has d_in {source.DIn} but the SAE expects {_sae.DIn}.", nameof(source));
        }
        var o = _options;
        var resumable = source as IResumableActivationSource;
        if ((o.Checkpoint is not null || resume is not null) && resumable is null)
        {
            throw new ArgumentException($"Checkpoints need a source that can save its position (IResumableActivationSource); {source.GetType().Name} cannot.", nameof(source));
        }

        using var optimizer = new AdamOptimizer(_sae.NamedParameters, o.AdamBeta1, o.AdamBeta2, o.AdamEpsilon);
        using var statistics = new FiringStatistics(_sae.DSae, _sae.Device);
        using var generator = new Generator((ulong)o.Seed);
        var run = new RunState(o.LossSpikeWindow);
        if (resume is null)
        {
            run.StartPosition = source.Position;
            run.Replay = ReadInitializationBatches(source);
            if (run.Replay.Count == 0) throw new ArgumentException("The activation source yielded no activations.", nameof(source));
            run.Scale = Initialize(run.Replay);
        }
        else
        {
            Restore(resume, run, optimizer, statistics, generator, resumable!);
        }
        var resampler = o.Resampling is null ? null : new NeuronResampler(o.Resampling);
        var schedule = o.Schedule;
        var endReason = TrainingEndReason.Completed;
        int step = run.Step;
        double scale = run.Scale;

        _logger.LogInformation("Training {Architecture} SAE {DIn}→{DSae} for {Steps} steps of {Batch} tokens, loss {Loss}, lr={Lr}, scale={Scale:G4}{Resumed}",
            _sae.Architecture, _sae.DIn, _sae.DSae, o.TotalSteps, o.BatchSize, Loss, o.LearningRate, scale,
            resume is null ? "" : $", resumed at step {step}");

        void SaveCheckpoint(int completed)
        {
            if (o.Checkpoint is null) return;
            run.Step = completed;
            WriteCheckpoint(o.Checkpoint.Folder, run, optimizer, statistics, generator, resumable!);
            _logger.LogInformation("Step {Step}: checkpoint saved to {Folder}", completed, o.Checkpoint.Folder);
        }

        // Loss terms see the firing statistics as they stood before the current batch.
        var context = new LossContext(statistics.DeadMask);
        var hooks = _sae as ITrainingHooks;
        var closedForm = SparseStandardStep.TryCreate(_sae, Loss, o);
        hooks?.OnTrainingStart(o);
        try
        {
            for (; step < o.TotalSteps; step++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    endReason = TrainingEndReason.Cancelled;
                    SaveCheckpoint(step);
                    break;
                }
                using var scope = StepScope.Begin();
                var raw = run.Replay.Count > 0 ? run.Replay.Dequeue() : source.NextBatch(o.BatchSize);
                if (raw is null) { endReason = TrainingEndReason.SourceExhausted; break; }
                var x = raw.to(_sae.DType, _sae.Device) * scale;
                raw.Dispose();

                double sparsityScale = o.L1WarmupSteps > 0 ? Math.Min(1.0, (step + 1.0) / o.L1WarmupSteps) : 1.0;
                double rewarm = run.LastResampleStep is int since && step - since < resampler!.Options.RewarmSteps
                    ? (step - since + 1.0) / resampler.Options.RewarmSteps
                    : 1.0;
                double lr = o.LearningRate * schedule.Multiplier(step) * rewarm;
                double total = double.NaN;
                if (!x.isfinite().all().item<bool>())
                {
                    Skip(run, new TrainingDivergedException(step, "activations", $"the input activations ({x.shape[0]} tokens) contain NaN or Inf"));
                }
                else
                {
                    // Gradients in closed form (standard SAE, sparse when activity is low) or by autograd.
                    var (forward, loss) = closedForm?.Run(x, sparsityScale) ?? AutogradStep(x, sparsityScale, context, optimizer);
                    total = loss.Total.ToDouble();
                    if (!double.IsFinite(total))
                    {
                        Skip(run, NonFiniteLoss(step, loss));
                    }
                    else
                    {
                        bool unitNorm = o.DecoderNorm == DecoderNormPolicy.UnitNormConstraint;
                        if (unitNorm) DecoderNorm.RemoveParallelGradient(_sae.DecoderWeight);
                        optimizer.Step(lr);
                        if (unitNorm) DecoderNorm.NormalizeRows(_sae.DecoderWeight);
                        statistics.Update(forward.Features);
                        if (hooks is not null)
                        {
                            using (no_grad()) hooks.OnStepEnd(forward, step);
                        }
                        run.Tokens += x.shape[0];
                        CheckSpike(run, step, total);
                        if (step % o.LogEverySteps == 0 || step == o.TotalSteps - 1)
                        {
                            run.Curve.Add(CurvePoint(step, run.Tokens, lr, sparsityScale, total, loss, forward, statistics.DeadFraction(o.DeadWindowTokens)));
                        }
                    }
                }

                if (resampler is not null && (step + 1) % resampler.Options.IntervalSteps == 0 && step + 1 < o.TotalSteps
                    && (resampler.Options.MaxResamples is null || run.Resamplings.Count < resampler.Options.MaxResamples)
                    && ReadTokens(source, resampler.Options.SampleTokens) is { } sample)
                {
                    var reset = resampler.Resample(_sae, optimizer, statistics.NotFiredSinceReset(), sample.to(_sae.DType, _sae.Device) * scale, generator);
                    statistics.ResetWindow();
                    statistics.MarkFresh(reset);
                    run.LastResampleStep = step + 1;
                    run.Resamplings.Add(new ResamplingEvent(step + 1, (int)reset.shape[0]));
                    _logger.LogInformation("Step {Step}: resampled {Count} dead latents", step + 1, reset.shape[0]);
                }

                bool saved = false;
                if (o.Checkpoint is { } checkpoint && (step + 1) % checkpoint.EverySteps == 0 && step + 1 < o.TotalSteps)
                {
                    SaveCheckpoint(step + 1);
                    saved = true;
                }
                try
                {
                    progress?.Report(new TrainingProgress(step + 1, o.TotalSteps, run.Tokens, total, lr));
                }
                catch (OperationCanceledException)
                {
                    // The step is complete: save it, then let the cancellation propagate.
                    if (!saved) SaveCheckpoint(step + 1);
                    throw;
                }
            }

            // A finished run is checkpointed too, so that a failure to save the SAE afterwards (a full disk) loses no
            // training: resuming from this checkpoint takes no step and returns the same SAE.
            if (endReason != TrainingEndReason.Cancelled && step != run.Step) SaveCheckpoint(step);
        }
        finally
        {
            hooks?.OnTrainingEnd();
            foreach (var leftover in run.Replay) leftover.Dispose();
            run.Replay.Clear();
        }

        if (scale != 1.0) _sae.FoldInputScale(scale);
        _logger.LogInformation("Training ended after {Steps} steps ({Reason}), {Skipped} batches skipped, {Spikes} loss spikes",
            step, endReason, run.SkippedBatches, run.LossSpikes);
        return new TrainingResult(step, source.Position - run.StartPosition, scale, run.Curve, run.Resamplings, endReason,
            run.SkippedBatches, run.LossSpikes);
    }

    /// <summary>Everything the loop changes besides tensors owned by the SAE, optimizer, statistics and generator.</summary>
    private sealed class RunState(int spikeWindow)
    {
        public int Step;
        public long Tokens;
        public long StartPosition;
        public double Scale = 1.0;
        public int? LastResampleStep;
        public int SkippedBatches;
        public int LossSpikes;
        public Queue<Tensor> Replay = new();
        public readonly List<TrainingCurvePoint> Curve = new();
        public readonly List<ResamplingEvent> Resamplings = new();
        public readonly Queue<double> RecentLosses = new();
        public readonly int SpikeWindow = spikeWindow;
    }

    private void Skip(RunState run, TrainingDivergedException fault)
    {
        if (_options.NonFiniteBatches == NonFiniteBatchPolicy.Stop) throw fault;
        run.SkippedBatches++;
        _logger.LogWarning("Step {Step}: batch skipped ({Tensor} not finite); {Skipped} skipped so far", fault.Step, fault.Tensor, run.SkippedBatches);
    }

    /// <summary>Logs and counts a loss above <see cref="TrainerOptions.LossSpikeFactor"/> × the median of the recent window.</summary>
    private void CheckSpike(RunState run, int step, double total)
    {
        if (run.RecentLosses.Count >= Math.Min(10, run.SpikeWindow))
        {
            var sorted = run.RecentLosses.Order().ToArray();
            double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
            if (median > 0 && total > _options.LossSpikeFactor * median)
            {
                run.LossSpikes++;
                _logger.LogWarning("Step {Step}: loss spike, {Loss:G4} is {Ratio:F1}× the median {Median:G4} of the last {Count} steps",
                    step, total, total / median, median, sorted.Length);
            }
        }
        run.RecentLosses.Enqueue(total);
        if (run.RecentLosses.Count > run.SpikeWindow) run.RecentLosses.Dequeue();
    }

    private void WriteCheckpoint(string folder, RunState run, AdamOptimizer optimizer, FiringStatistics statistics, Generator generator, IResumableActivationSource source)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in _sae.NamedParameters)
        {
            tensors[$"sae/{name}"] = parameter.detach();
            var (m, v) = optimizer.Moments(name);
            tensors[$"adam/exp_avg/{name}"] = m;
            tensors[$"adam/exp_avg_sq/{name}"] = v;
        }
        tensors["firing/tokens_since_fired"] = statistics.TokensSinceFired;
        tensors["firing/fired_since_reset"] = statistics.FiredSinceReset;
        tensors["generator"] = generator.get_state();
        int i = 0;
        foreach (var batch in run.Replay) tensors[$"replay/{i++}"] = batch;
        using var sourceState = source.SaveState();
        var checkpoint = new TrainingCheckpoint(ownsTensors: false)
        {
            Architecture = _sae.Architecture, DIn = _sae.DIn, DSae = _sae.DSae, TotalSteps = _options.TotalSteps,
            BatchSize = _options.BatchSize, Seed = _options.Seed, Step = run.Step, Tokens = run.Tokens,
            StartPosition = run.StartPosition, NormalizationScale = run.Scale, OptimizerSteps = optimizer.StepCount,
            LastResampleStep = run.LastResampleStep, SkippedBatches = run.SkippedBatches, LossSpikes = run.LossSpikes,
            RecentLosses = run.RecentLosses.ToList(), Resamplings = run.Resamplings.ToList(), Curve = run.Curve.ToList(),
            SaeState = (_sae as ITrainingState)?.SaveTrainingState() ?? new Dictionary<string, double>(),
            ReplayBatches = run.Replay.Count, Tensors = tensors, Source = sourceState,
        };
        checkpoint.Save(folder);
    }

    private void Restore(TrainingCheckpoint c, RunState run, AdamOptimizer optimizer, FiringStatistics statistics, Generator generator, IResumableActivationSource source)
    {
        void Expect<T>(string field, T saved, T current)
        {
            if (!EqualityComparer<T>.Default.Equals(saved, current))
            {
                throw new TrainingCheckpointException(TrainingCheckpoint.StateFileName, field, $"the checkpoint was written with {saved}, this run has {current}");
            }
        }
        Expect("architecture", c.Architecture, _sae.Architecture);
        Expect("d_in", c.DIn, _sae.DIn);
        Expect("d_sae", c.DSae, _sae.DSae);
        Expect("total_steps", c.TotalSteps, _options.TotalSteps);
        Expect("batch_size", c.BatchSize, _options.BatchSize);
        Expect("seed", c.Seed, _options.Seed);
        if (c.Step < 0 || c.Step > _options.TotalSteps) throw new TrainingCheckpointException(TrainingCheckpoint.StateFileName, "step", $"{c.Step} is outside [0, {_options.TotalSteps}]");

        using (no_grad())
        {
            foreach (var (name, parameter) in _sae.NamedParameters)
            {
                CopyInto(parameter, c.Tensor($"sae/{name}"), $"sae/{name}");
                var (m, v) = optimizer.Moments(name);
                CopyInto(m, c.Tensor($"adam/exp_avg/{name}"), $"adam/exp_avg/{name}");
                CopyInto(v, c.Tensor($"adam/exp_avg_sq/{name}"), $"adam/exp_avg_sq/{name}");
            }
            CopyInto(statistics.TokensSinceFired, c.Tensor("firing/tokens_since_fired"), "firing/tokens_since_fired");
            CopyInto(statistics.FiredSinceReset, c.Tensor("firing/fired_since_reset"), "firing/fired_since_reset");
        }
        optimizer.StepCount = c.OptimizerSteps;
        generator.set_state(c.Tensor("generator"));
        if (_sae is ITrainingState state) state.RestoreTrainingState(c.SaeState);
        for (int i = 0; i < c.ReplayBatches; i++)
        {
            var batch = c.Tensor($"replay/{i}");
            if (batch.dim() != 2 || batch.shape[1] != _sae.DIn) throw new TrainingCheckpointException(TrainingCheckpoint.TensorsFileName, $"replay/{i}", "not a [tokens, d_in] batch");
            run.Replay.Enqueue(batch.clone().DetachFromDisposeScope());
        }
        source.RestoreState(c.Source ?? throw new TrainingCheckpointException(TrainingCheckpoint.StateFileName, "source", "the checkpoint has no source state"));
        run.Step = c.Step;
        run.Tokens = c.Tokens;
        run.StartPosition = c.StartPosition;
        run.Scale = c.NormalizationScale;
        run.LastResampleStep = c.LastResampleStep;
        run.SkippedBatches = c.SkippedBatches;
        run.LossSpikes = c.LossSpikes;
        run.Curve.AddRange(c.Curve);
        run.Resamplings.AddRange(c.Resamplings);
        foreach (double loss in c.RecentLosses.TakeLast(run.SpikeWindow)) run.RecentLosses.Enqueue(loss);
    }

    private static void CopyInto(Tensor target, Tensor saved, string name)
    {
        if (saved.dtype != target.dtype || !saved.shape.SequenceEqual(target.shape))
        {
            throw new TrainingCheckpointException(TrainingCheckpoint.TensorsFileName, name,
                $"saved as {saved.dtype} [{string.Join(", ", saved.shape)}], expected {target.dtype} [{string.Join(", ", target.shape)}]");
        }
        target.copy_(saved);
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

    private static TrainingDivergedException NonFiniteLoss(int step, LossValue loss)
    {
        var terms = loss.Terms.Where(t => !double.IsFinite(t.Value.ToDouble())).Select(t => t.Key).ToList();
        string tensor = terms.Count > 0 ? string.Join(", ", terms) : "loss";
        return new TrainingDivergedException(step, tensor, terms.Count > 0 ? $"non-finite loss term(s): {tensor}" : "the total loss is not finite");
    }
}
