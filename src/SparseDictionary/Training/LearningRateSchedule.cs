namespace SparseDictionary.Training;

/// <summary>The shape of the learning rate between warm-up and the final decay.</summary>
public enum LearningRateShape
{
    /// <summary>Constant at the base learning rate.</summary>
    Constant,

    /// <summary>One cosine half-period from the base rate down to the minimum (<c>torch CosineAnnealingLR</c>).</summary>
    CosineAnnealing,

    /// <summary>
    /// Several cosine periods, each restarting abruptly at the base rate (Hugging Face
    /// <c>get_cosine_with_hard_restarts_schedule_with_warmup</c>); the original note found it harmful.
    /// </summary>
    CosineWithHardRestarts,
}

/// <summary>
/// A learning-rate multiplier as a pure function of the step: linear warm-up, then <see cref="Shape"/>, then an
/// optional linear decay to zero over the last <see cref="DecaySteps"/> steps.
/// </summary>
/// <param name="TotalSteps">Length of training.</param>
/// <param name="Shape">Shape after warm-up.</param>
/// <param name="WarmupSteps">Steps of linear warm-up from 0 (0: none).</param>
/// <param name="DecaySteps">Steps of linear decay to 0 at the end (0: none).</param>
/// <param name="Cycles">Number of cosine periods for <see cref="LearningRateShape.CosineWithHardRestarts"/>.</param>
/// <param name="MinFraction">Floor of the cosine shapes as a fraction of the base rate.</param>
public sealed record LearningRateSchedule(
    int TotalSteps,
    LearningRateShape Shape = LearningRateShape.Constant,
    int WarmupSteps = 0,
    int DecaySteps = 0,
    int Cycles = 4,
    double MinFraction = 0.0)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (TotalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(TotalSteps), TotalSteps, "TotalSteps must be positive.");
        if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "WarmupSteps must be ≥ 0.");
        if (DecaySteps < 0) throw new ArgumentOutOfRangeException(nameof(DecaySteps), DecaySteps, "DecaySteps must be ≥ 0.");
        if (WarmupSteps > TotalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, $"WarmupSteps ({WarmupSteps}) exceed TotalSteps ({TotalSteps}).");
        }
        if (WarmupSteps + DecaySteps > TotalSteps)
        {
            throw new ArgumentException($"WarmupSteps ({WarmupSteps}) + DecaySteps ({DecaySteps}) exceed TotalSteps ({TotalSteps}).", nameof(DecaySteps));
        }
        if (Cycles <= 0) throw new ArgumentOutOfRangeException(nameof(Cycles), Cycles, "Cycles must be positive.");
        if (MinFraction is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MinFraction), MinFraction, "MinFraction must be in [0, 1].");
    }

    /// <summary>The multiplier of the base learning rate at 0-based <paramref name="step"/>.</summary>
    public double Multiplier(int step)
    {
        if (step < WarmupSteps) return (step + 1.0) / WarmupSteps;
        int decayStart = TotalSteps - DecaySteps;
        int mainLength = Math.Max(1, decayStart - WarmupSteps);
        double progress = Math.Clamp((double)(Math.Min(step, decayStart) - WarmupSteps) / mainLength, 0, 1);
        double shape = Shape switch
        {
            LearningRateShape.Constant => 1.0,
            LearningRateShape.CosineAnnealing => Cosine(progress),
            LearningRateShape.CosineWithHardRestarts => progress >= 1 ? Cosine(1) : Cosine(Cycles * progress % 1.0),
            _ => throw new InvalidOperationException($"Unknown learning-rate shape {Shape}."),
        };
        double decay = step >= decayStart && DecaySteps > 0 ? (double)(TotalSteps - step) / DecaySteps : 1.0;
        return shape * decay;
    }

    private double Cosine(double progress) => MinFraction + (1 - MinFraction) * 0.5 * (1 + Math.Cos(Math.PI * progress));
}
