namespace SparseDictionary.Training;

/// <summary>Progress reported once per training step.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Tokens">Tokens trained on so far.</param>
/// <param name="Loss">Total loss of the step just taken.</param>
/// <param name="LearningRate">Learning rate of that step.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, long Tokens, double Loss, double LearningRate);

/// <summary>One point of the training curve.</summary>
/// <param name="Step">0-based step.</param>
/// <param name="Tokens">Tokens trained on after this step.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="SparsityScale">Warm-up multiplier applied to the sparsity coefficient.</param>
/// <param name="Loss">Total loss.</param>
/// <param name="Terms">Each loss term's unweighted value.</param>
/// <param name="L0">Mean number of active latents per token in the batch.</param>
/// <param name="DeadFraction">Fraction of latents not fired within <see cref="TrainerOptions.DeadWindowTokens"/>.</param>
public sealed record TrainingCurvePoint(
    int Step, long Tokens, double LearningRate, double SparsityScale, double Loss,
    IReadOnlyDictionary<string, double> Terms, double L0, double DeadFraction);

/// <summary>A neuron-resampling round.</summary>
/// <param name="Step">Steps completed when it ran.</param>
/// <param name="LatentsResampled">How many latents were reset.</param>
public sealed record ResamplingEvent(int Step, int LatentsResampled);

/// <summary>What a training run did.</summary>
/// <param name="StepsCompleted">Optimiser steps taken.</param>
/// <param name="TokensSeen">Tokens drawn from the source (training, initialisation and resampling samples).</param>
/// <param name="NormalizationScale">Activation scale used during training (1 if normalisation was off); already folded into the weights.</param>
/// <param name="Curve">Training curve.</param>
/// <param name="Resamplings">Resampling rounds.</param>
/// <param name="EndReason">Why training stopped.</param>
/// <param name="SkippedBatches">Batches skipped for NaN/Inf under <see cref="NonFiniteBatchPolicy.Skip"/>.</param>
/// <param name="LossSpikes">Steps whose loss exceeded <see cref="TrainerOptions.LossSpikeFactor"/> × the running median (each was logged).</param>
public sealed record TrainingResult(
    int StepsCompleted, long TokensSeen, double NormalizationScale,
    IReadOnlyList<TrainingCurvePoint> Curve, IReadOnlyList<ResamplingEvent> Resamplings, TrainingEndReason EndReason,
    int SkippedBatches = 0, int LossSpikes = 0);

/// <summary>Why a training run stopped.</summary>
public enum TrainingEndReason
{
    /// <summary>All <see cref="TrainerOptions.TotalSteps"/> were taken.</summary>
    Completed,

    /// <summary>The activation source ran out first.</summary>
    SourceExhausted,

    /// <summary>The cancellation token fired.</summary>
    Cancelled,
}
