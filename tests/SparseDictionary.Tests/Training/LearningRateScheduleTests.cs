using SparseDictionary.Training;
using Xunit;

namespace SparseDictionary.Tests.Training;

public class LearningRateScheduleTests
{
    private const double Tol = 1e-12;

    [Fact]
    public void WarmupRampsLinearlyToOneThenStaysConstant()
    {
        var s = new LearningRateSchedule(TotalSteps: 100, WarmupSteps: 4);
        s.Validate();
        // (step + 1) / W with W = 4: 1/4, 2/4, 3/4, 4/4; then constant 1.
        Assert.Equal(0.25, s.Multiplier(0), Tol);
        Assert.Equal(0.5, s.Multiplier(1), Tol);
        Assert.Equal(0.75, s.Multiplier(2), Tol);
        Assert.Equal(1.0, s.Multiplier(3), Tol);
        Assert.Equal(1.0, s.Multiplier(4), Tol);
        Assert.Equal(1.0, s.Multiplier(50), Tol);
        Assert.Equal(1.0, s.Multiplier(99), Tol);
    }

    [Fact]
    public void ConstantWithoutWarmupOrDecayIsOneEverywhere()
    {
        var s = new LearningRateSchedule(TotalSteps: 10);
        for (int step = 0; step < 10; step++) Assert.Equal(1.0, s.Multiplier(step), Tol);
    }

    [Fact]
    public void CosineAnnealingFromOneToMinFraction()
    {
        var s = new LearningRateSchedule(TotalSteps: 100, Shape: LearningRateShape.CosineAnnealing, MinFraction: 0.1);
        s.Validate();
        // m(p) = min + (1 − min)·(1 + cos πp)/2 with p = step / 100.
        Assert.Equal(1.0, s.Multiplier(0), Tol);
        // p = 1/4: 0.1 + 0.9·(1 + √2/2)/2 = 0.1 + 0.45 + 0.45·√2/2
        Assert.Equal(0.55 + 0.45 * Math.Sqrt(2) / 2, s.Multiplier(25), Tol);
        // Midpoint p = 1/2: (1 + min)/2 = 0.55
        Assert.Equal(0.55, s.Multiplier(50), Tol);
        // p = 3/4: 0.55 − 0.45·√2/2
        Assert.Equal(0.55 - 0.45 * Math.Sqrt(2) / 2, s.Multiplier(75), Tol);
        // Monotone decreasing towards the floor.
        for (int step = 1; step < 100; step++) Assert.True(s.Multiplier(step) < s.Multiplier(step - 1));
        Assert.True(s.Multiplier(99) > 0.1);
    }

    [Fact]
    public void CosineAnnealingStartsAfterWarmup()
    {
        var s = new LearningRateSchedule(TotalSteps: 110, Shape: LearningRateShape.CosineAnnealing, WarmupSteps: 10, MinFraction: 0.2);
        s.Validate();
        Assert.Equal(0.1, s.Multiplier(0), Tol);   // 1/10
        Assert.Equal(1.0, s.Multiplier(9), Tol);   // 10/10
        Assert.Equal(1.0, s.Multiplier(10), Tol);  // cosine at p = 0
        Assert.Equal(0.6, s.Multiplier(60), Tol);  // p = 50/100: (1 + 0.2)/2
    }

    [Fact]
    public void CosineWithHardRestartsRestartsAtEachCycle()
    {
        // 4 cycles of 20 steps: m = (1 + cos(π·frac(4·step/80)))/2.
        var s = new LearningRateSchedule(TotalSteps: 80, Shape: LearningRateShape.CosineWithHardRestarts, Cycles: 4);
        s.Validate();
        double endOfCycle = 0.5 * (1 + Math.Cos(Math.PI * 0.95));   // frac = 19/20 ≈ 0.00616
        for (int cycle = 0; cycle < 4; cycle++)
        {
            int start = 20 * cycle;
            Assert.Equal(1.0, s.Multiplier(start), Tol);             // restart at the base rate
            Assert.Equal(0.5, s.Multiplier(start + 10), Tol);        // cycle midpoint: (1 + cos π/2)/2
            Assert.Equal(endOfCycle, s.Multiplier(start + 19), 1e-10);
        }
        // The restart is an upward jump, unlike a single cosine.
        Assert.True(s.Multiplier(20) - s.Multiplier(19) > 0.99);
    }

    [Fact]
    public void CosineWithHardRestartsAfterWarmupAndWithFloor()
    {
        // Warm-up 10, then 80 steps in 4 cycles of 20, floor 0.2: midpoint (1 + 0.2)/2 = 0.6.
        var s = new LearningRateSchedule(TotalSteps: 90, Shape: LearningRateShape.CosineWithHardRestarts, WarmupSteps: 10, Cycles: 4, MinFraction: 0.2);
        s.Validate();
        Assert.Equal(1.0, s.Multiplier(10), Tol);
        Assert.Equal(0.6, s.Multiplier(20), Tol);
        Assert.Equal(1.0, s.Multiplier(30), Tol);
        Assert.Equal(0.6, s.Multiplier(40), Tol);
    }

    [Fact]
    public void FinalLinearDecayReachesOneOverDecayStepsOnTheLastStep()
    {
        var s = new LearningRateSchedule(TotalSteps: 100, DecaySteps: 10);
        s.Validate();
        // (Total − step) / D from step Total − D = 90.
        Assert.Equal(1.0, s.Multiplier(89), Tol);
        Assert.Equal(1.0, s.Multiplier(90), Tol);   // 10/10
        Assert.Equal(0.5, s.Multiplier(95), Tol);   // 5/10
        Assert.Equal(0.1, s.Multiplier(99), Tol);   // 1/10
    }

    [Fact]
    public void WarmupAndDecayTogether()
    {
        var s = new LearningRateSchedule(TotalSteps: 20, WarmupSteps: 5, DecaySteps: 5);
        s.Validate();
        Assert.Equal(0.2, s.Multiplier(0), Tol);   // 1/5
        Assert.Equal(1.0, s.Multiplier(4), Tol);   // 5/5
        Assert.Equal(1.0, s.Multiplier(10), Tol);
        Assert.Equal(1.0, s.Multiplier(15), Tol);  // (20 − 15)/5
        Assert.Equal(0.6, s.Multiplier(17), Tol);  // 3/5
        Assert.Equal(0.2, s.Multiplier(19), Tol);  // 1/5
    }

    [Theory]
    [InlineData(0, 0, 0, 4, 0.0, "TotalSteps")]
    [InlineData(-5, 0, 0, 4, 0.0, "TotalSteps")]
    [InlineData(10, -1, 0, 4, 0.0, "WarmupSteps")]
    [InlineData(10, 0, -1, 4, 0.0, "DecaySteps")]
    [InlineData(10, 11, 0, 4, 0.0, "WarmupSteps")]
    [InlineData(10, 0, 11, 4, 0.0, "DecaySteps")]
    [InlineData(10, 6, 5, 4, 0.0, "DecaySteps")]
    [InlineData(10, 0, 0, 0, 0.0, "Cycles")]
    [InlineData(10, 0, 0, 4, -0.1, "MinFraction")]
    [InlineData(10, 0, 0, 4, 1.5, "MinFraction")]
    public void ValidateNamesTheBadField(int total, int warmup, int decay, int cycles, double minFraction, string field)
    {
        var schedule = new LearningRateSchedule(total, LearningRateShape.CosineWithHardRestarts, warmup, decay, cycles, minFraction);
        var ex = Assert.ThrowsAny<ArgumentException>(schedule.Validate);
        Assert.Equal(field, ex.ParamName);
    }

    [Fact]
    public void WarmupPlusDecayEqualToTotalIsValid()
    {
        var s = new LearningRateSchedule(TotalSteps: 10, WarmupSteps: 5, DecaySteps: 5);
        s.Validate();
        Assert.Equal(1.0, s.Multiplier(4), Tol);
        Assert.Equal(1.0, s.Multiplier(5), Tol);
        Assert.Equal(0.2, s.Multiplier(9), Tol);
    }
}
