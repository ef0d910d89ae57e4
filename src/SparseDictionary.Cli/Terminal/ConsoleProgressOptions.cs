namespace SparseDictionary.Cli.Terminal;

/// <summary>What a <see cref="ConsoleProgressBar{T}"/> shows and how often.</summary>
internal sealed record ConsoleProgressOptions
{
    /// <summary>Gets the text before the bar, such as <c>collect</c>.</summary>
    public string Label { get; init; } = "";

    /// <summary>Gets the number of units at completion, or <see langword="null"/> when unknown (no bar, no time left).</summary>
    public long? Total { get; init; }

    /// <summary>Gets the name of a unit, such as <c>tokens</c>.</summary>
    public string Unit { get; init; } = "items";

    /// <summary>Gets whether the writer is a terminal (redraw in place) rather than a file or pipe (plain lines).</summary>
    public bool Interactive { get; init; }

    /// <summary>Gets the shortest time between two redraws on a terminal; 100 ms by default.</summary>
    public TimeSpan RedrawInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets the shortest time between two plain lines when redirected; 10 s by default.</summary>
    public TimeSpan PlainInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the number of characters of the bar itself.</summary>
    public int BarWidth { get; init; } = 30;
}
