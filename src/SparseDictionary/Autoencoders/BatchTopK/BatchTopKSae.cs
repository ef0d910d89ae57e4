using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The BatchTopK SAE of Bussmann et al. 2024 ("BatchTopK Sparse Autoencoders"). In training, a batch of <c>B</c> tokens
/// keeps its <c>K·B</c> largest ReLU'd pre-activations across the whole batch,
/// <c>f = BatchTopK_{K·B}(ReLU(W_encᵀ(x − b_dec) + b_enc))</c>; at inference each latent fires when its pre-activation
/// exceeds one global threshold θ, <c>f = ReLU(z) ⊙ 1[z &gt; θ]</c> — a JumpReLU with the same θ for every latent, which is
/// how SAELens saves it (<c>jumprelu</c> with a constant <c>threshold</c> tensor).
/// </summary>
/// <remarks>
/// <para>
/// The SAE starts in inference mode, so evaluators and other callers of <see cref="LinearEncoderSae.Forward"/> and <see cref="LinearEncoderSae.Encode"/>
/// get per-token outputs that do not depend on the rest of the batch. <see cref="Training.SaeTrainer"/> switches it to
/// training mode through <see cref="ITrainingHooks"/> and back when training ends.
/// </para>
/// <para>
/// θ is estimated during training as in dictionary_learning: from step <see cref="ThresholdStartStep"/> on, after each
/// step, the smallest positive kept activation <c>m</c> of the batch updates <c>θ ← β θ + (1 − β) m</c>
/// (β = <see cref="ThresholdDecay"/>), the first update setting <c>θ = m</c>. Ties at the batch's K·B-th value keep the
/// lowest row-major indices, exactly K·B entries in all.
/// </para>
/// </remarks>
public class BatchTopKSae : LinearEncoderSae, ITrainingHooks, ITrainingState
{
    private readonly double? _thresholdDecay;
    private readonly int? _thresholdStartStep;
    private double _threshold;

    // The threshold schedule of the current run, resolved by OnTrainingStart.
    private int _runStartStep;
    private double _runDecay;

    // The threshold schedule of the current run, resolved by OnTrainingStart.
    /// <summary>
    /// Creates a BatchTopK SAE with unit-norm random decoder rows, the encoder initialised to the decoder's transpose, zero
    /// biases and θ = 0 (so an untrained SAE infers as a ReLU SAE).
    /// </summary>
    /// <param name="dIn">Input width.</param>
    /// <param name="dSae">Number of latents.</param>
    /// <param name="k">Mean latents kept per token, 1 ≤ k ≤ <paramref name="dSae"/>.</param>
    /// <param name="device">Device for the parameters (default CPU).</param>
    /// <param name="dtype">Parameter element type (default float32).</param>
    /// <param name="generator">Random generator for reproducible initialisation.</param>
    public BatchTopKSae(int dIn, int dSae, int k, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
        : this(nameof(BatchTopKSae), dIn, dSae, k, device, dtype, generator)
    {
    }

    /// <summary>Creates the SAE under module name <paramref name="name"/> (for derived architectures).</summary>
    private protected BatchTopKSae(string name, int dIn, int dSae, int k, Device? device, ScalarType dtype, Generator? generator)
        : base(name, dIn, dSae)
    {
        if (k < 1 || k > dSae) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, d_sae = {dSae}].");
        K = k;
        var init = SaeInitialization.UnitRows(dSae, dIn, device, dtype, generator);
        CreateParameters(init.t().contiguous(), init, device, dtype);
        RegisterComponents();
    }

    /// <summary>SAELens's name for the training architecture; saved folders say <c>jumprelu</c>.</summary>
    public override string Architecture => BatchTopKArchitecture.ArchitectureName;

    /// <summary>Mean latents kept per token: a batch of B tokens keeps K·B activations in training.</summary>
    public int K { get; }

    /// <summary>
    /// EMA factor β of the threshold estimate; <see langword="null"/> (the default) for <see cref="DefaultThresholdDecay"/>
    /// of the run's length.
    /// </summary>
    public double? ThresholdDecay
    {
        get => _thresholdDecay;
        init
        {
            SpecChecks.Fraction(value, nameof(ThresholdDecay));
            _thresholdDecay = value;
        }
    }

    /// <summary>
    /// First 0-based training step whose activations update θ; <see langword="null"/> (the default) for
    /// <see cref="DefaultThresholdStartStep"/> of the run's length.
    /// </summary>
    public int? ThresholdStartStep
    {
        get => _thresholdStartStep;
        init
        {
            SpecChecks.NotNegative(value, nameof(ThresholdStartStep));
            _thresholdStartStep = value;
        }
    }

    /// <summary>
    /// The first step that updates θ in a run of <paramref name="totalSteps"/>: dictionary_learning's 1,000, or a quarter of
    /// the run for shorter runs (with 1,000 a run of a few hundred steps would never set θ and would infer with θ = 0, a
    /// plain ReLU).
    /// </summary>
    public static int DefaultThresholdStartStep(int totalSteps) => Math.Min(LongRunThresholdStartStep, totalSteps / 4);

    /// <summary>dictionary_learning's θ schedule, used from 10,000 steps on: start at step 1,000, β = 0.999.</summary>
    public const int LongRunThresholdStartStep = 1000;

    /// <inheritdoc cref="LongRunThresholdStartStep"/>
    public const double LongRunThresholdDecay = 0.999;

    /// <summary>
    /// The EMA factor β in a run of <paramref name="totalSteps"/>: dictionary_learning's 0.999, or <c>1 − 10 / steps</c> for
    /// runs under 10,000 steps, so the estimate follows the activations over the last tenth of the run rather than its
    /// first updates.
    /// </summary>
    public static double DefaultThresholdDecay(int totalSteps) => Math.Min(LongRunThresholdDecay, 1 - 10.0 / Math.Max(totalSteps, 11));

    /// <summary>The inference threshold θ (finite, ≥ 0).</summary>
    public double Threshold
    {
        get => _threshold;
        set => _threshold = double.IsFinite(value) && value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Threshold), value, "Threshold must be finite and ≥ 0.");
    }

    /// <summary>How many steps have updated <see cref="Threshold"/>.</summary>
    public long ThresholdUpdates { get; private set; }

    /// <summary>Whether the batch-level top-k (training) is used instead of the threshold (inference).</summary>
    public bool IsTraining { get; private set; }

    /// <summary>
    /// Updates θ from the features of one training batch: <c>θ ← β θ + (1 − β) m</c>, <c>m</c> the smallest positive
    /// feature (the first update sets <c>θ = m</c>). A batch without a positive feature leaves θ as it is.
    /// </summary>
    /// <param name="features">Features <c>[tokens, d_sae]</c> of a training-mode forward pass.</param>
    public void UpdateThreshold(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var positive = features.detach().masked_select(features > 0);
        if (positive.numel() == 0) return;
        double m = positive.min().ToDouble();
        double decay = IsTraining ? _runDecay : ThresholdDecay ?? LongRunThresholdDecay;
        _threshold = ThresholdUpdates == 0 ? m : decay * _threshold + (1 - decay) * m;
        ThresholdUpdates++;
    }

    /// <inheritdoc />
    /// <remarks>Resolves the threshold schedule: the explicit values, else the defaults for <paramref name="run"/>'s length.</remarks>
    public void OnTrainingStart(TrainerOptions run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _runStartStep = ThresholdStartStep ?? DefaultThresholdStartStep(run.TotalSteps);
        _runDecay = ThresholdDecay ?? DefaultThresholdDecay(run.TotalSteps);
        IsTraining = true;
    }

    /// <inheritdoc />
    public void OnStepEnd(SaeForward forward, int step)
    {
        ArgumentNullException.ThrowIfNull(forward);
        if (step >= _runStartStep) UpdateThreshold(forward.Features);
    }

    /// <inheritdoc />
    public void OnTrainingEnd() => IsTraining = false;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> SaveTrainingState() => new Dictionary<string, double>
    {
        ["threshold"] = _threshold,
        ["threshold_updates"] = ThresholdUpdates,
    };

    /// <inheritdoc />
    public void RestoreTrainingState(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.TryGetValue("threshold", out double threshold) || !state.TryGetValue("threshold_updates", out double updates)
            || !(updates >= 0) || updates != Math.Floor(updates))
        {
            throw new ArgumentException("The BatchTopK training state needs 'threshold' and a whole 'threshold_updates' ≥ 0.", nameof(state));
        }
        Threshold = threshold;
        ThresholdUpdates = (long)updates;
    }

    /// <inheritdoc />
    private protected override Tensor Activate(Tensor pre)
    {
        if (!IsTraining) return JumpRelu.Inference(pre, _threshold);
        var acts = nn.functional.relu(pre);
        using var keep = TopKSelection.GlobalMask(acts, (long)K * pre.shape[0]);
        return acts * keep;
    }
}
