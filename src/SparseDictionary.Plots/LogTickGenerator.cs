using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace SparseDictionary.Plots;

/// <summary>
/// Ticks for an axis whose coordinates are log10 of the values: labels at every multiple 1..9 of a power of ten when
/// the visible range is well under a decade, at 1, 2 and 5 times powers of ten when it spans a few decades, and at
/// powers of ten (every k-th one if crowded) otherwise, with unlabelled minor ticks at the other multiples. Ranges
/// too narrow for two such labels fall back to evenly spaced ticks.
/// </summary>
internal sealed class LogTickGenerator : ITickGenerator
{
    private readonly NumericAutomatic fallback = new() { LabelFormatter = Label };

    public Tick[] Ticks { get; private set; } = [];

    public int MaxTickCount { get; set; } = 10_000;

    public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle)
    {
        Ticks = Generate(range.Min, range.Max, size.Length, edge.IsVertical());
        if (Ticks.Count(t => t.IsMajor) < 2)
        {
            fallback.Regenerate(range, edge, size, paint, labelStyle);
            Ticks = fallback.Ticks;
        }
        if (Ticks.Length > MaxTickCount)
            Ticks = Ticks[..MaxTickCount];
    }

    /// <summary>
    /// Sets of labelled multiples of each power of ten, richest first, with the smallest distance (in decades)
    /// between two neighbouring labels of the set, 1 to 10 included.
    /// </summary>
    private static readonly (int[] Multiples, double MinGap)[] Tiers =
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], Math.Log10(9.0 / 8)),
        ([1, 2, 3, 5], Math.Log10(3.0 / 2)),
        ([1, 2, 5], Math.Log10(2)),
        ([1, 3], Math.Log10(3)),
    ];

    /// <summary>Ticks inside [min, max] (log10 units) for an axis <paramref name="pixels"/> long.</summary>
    internal static Tick[] Generate(double min, double max, float pixels, bool vertical)
    {
        if (!(max > min) || !double.IsFinite(min) || !double.IsFinite(max) || !(pixels > 0))
            return [];
        double pixelsPerDecade = pixels / (max - min);
        // Labels need ~28 px apart on a vertical axis and ~70 px on a horizontal one (text is wider than tall).
        double minGapPixels = vertical ? 28 : 70;
        int[] labelled = [1];
        int decadeStep = Math.Max(1, (int)Math.Ceiling(minGapPixels / pixelsPerDecade));
        foreach (var (multiples, minGap) in Tiers)
        {
            if (minGap * pixelsPerDecade >= minGapPixels)
            {
                labelled = multiples;
                break;
            }
        }
        var ticks = new List<Tick>();
        for (int k = (int)Math.Floor(min); k <= (int)Math.Ceiling(max); k++)
        {
            for (int m = 1; m <= 9; m++)
            {
                double position = k + Math.Log10(m);
                if (position < min || position > max)
                    continue;
                if (labelled.Contains(m) && (m > 1 || k % decadeStep == 0))
                    ticks.Add(Tick.Major(position, Label(k, m)));
                else if (decadeStep == 1)
                    ticks.Add(Tick.Minor(position));
            }
        }
        return [.. ticks];
    }

    /// <summary>The label of m x 10^k: plain digits for 10^-3 to 10^5, "me k" notation beyond.</summary>
    internal static string Label(int k, int m) =>
        k is >= -3 and <= 5
            ? (m * Math.Pow(10, k)).ToString("G6", CultureInfo.InvariantCulture)
            : m.ToString(CultureInfo.InvariantCulture) + "e" + k.ToString(CultureInfo.InvariantCulture);

    /// <summary>The label of a tick at any log10 position (fallback ticks).</summary>
    internal static string Label(double exponent) =>
        Math.Pow(10, exponent).ToString("G4", CultureInfo.InvariantCulture);
}
