using ScottPlot;
using SkiaSharp;

namespace SparseDictionary.Plots;

/// <summary>
/// DejaVu Sans, shipped inside this assembly and registered with ScottPlot under its own family name, so that text
/// renders the same on every machine: the Skia build used on Linux (no fontconfig) scans /usr/share/fonts only,
/// and where that is empty ScottPlot silently draws no text at all.
/// </summary>
internal static class EmbeddedFont
{
    /// <summary>The name charts ask ScottPlot for; distinct from "DejaVu Sans" so system lookups are untouched.</summary>
    public const string FamilyName = "SparseDictionary.Plots DejaVu Sans";

    private const string ResourceName = "SparseDictionary.Plots.Fonts.DejaVuSans.ttf";
    private static readonly Lazy<SKTypeface> LazyTypeface = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lock Gate = new();
    private static bool registered;

    /// <summary>The typeface (regular weight; ScottPlot emboldens it for bold text).</summary>
    public static SKTypeface Typeface => LazyTypeface.Value;

    /// <summary>Adds the resolver to ScottPlot's global list once, ahead of the system resolver.</summary>
    public static string EnsureRegistered()
    {
        lock (Gate)
        {
            if (!registered)
            {
                Fonts.FontResolvers.Insert(0, new Resolver());
                registered = true;
            }
        }
        return FamilyName;
    }

    private static SKTypeface Load()
    {
        using Stream stream = typeof(EmbeddedFont).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the assembly.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        // The typeface keeps its own reference to the native data, so the SKData can go.
        using SKData data = SKData.CreateCopy(memory.ToArray());
        return SKTypeface.FromData(data)
            ?? throw new InvalidOperationException($"Skia could not read the embedded font {ResourceName}.");
    }

    /// <summary>Answers only for <see cref="FamilyName"/>, any weight or slant (one face; bold is synthesised).</summary>
    private sealed class Resolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            fontName == FamilyName ? Typeface : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == FamilyName ? Typeface : null;
    }
}
