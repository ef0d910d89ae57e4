namespace SparseDictionary.Plots;

/// <summary>
/// Title, axis labels, axis scales and image size of a chart. Empty strings leave the title or a label out.
/// </summary>
/// <param name="Title">Text above the chart; empty for none.</param>
/// <param name="XLabel">Label under the X axis; empty for none.</param>
/// <param name="YLabel">Label beside the Y axis; empty for none.</param>
public sealed record ChartOptions(string Title, string XLabel, string YLabel)
{
    /// <summary>Smallest accepted <see cref="Width"/> and <see cref="Height"/>, in pixels.</summary>
    public const int MinSize = 32;

    /// <summary>Largest accepted <see cref="Width"/> and <see cref="Height"/>, in pixels.</summary>
    public const int MaxSize = 8192;

    /// <summary>Text above the chart; empty for none.</summary>
    public string Title { get; init; } = Title ?? throw new ArgumentNullException(nameof(Title));

    /// <summary>Label under the X axis; empty for none.</summary>
    public string XLabel { get; init; } = XLabel ?? throw new ArgumentNullException(nameof(XLabel));

    /// <summary>Label beside the Y axis; empty for none.</summary>
    public string YLabel { get; init; } = YLabel ?? throw new ArgumentNullException(nameof(YLabel));

    /// <summary>Scale of the X axis (default linear).</summary>
    public AxisScale XScale { get; init => field = Validation.Defined(value, nameof(XScale)); } = AxisScale.Linear;

    /// <summary>Scale of the Y axis (default linear).</summary>
    public AxisScale YScale { get; init => field = Validation.Defined(value, nameof(YScale)); } = AxisScale.Linear;

    /// <summary>Image width in pixels, between <see cref="MinSize"/> and <see cref="MaxSize"/> (default 900).</summary>
    public int Width { get; init => field = Validation.Size(value, nameof(Width)); } = 900;

    /// <summary>Image height in pixels, between <see cref="MinSize"/> and <see cref="MaxSize"/> (default 600).</summary>
    public int Height { get; init => field = Validation.Size(value, nameof(Height)); } = 600;
}
