using SparseDictionary.Cli.Terminal;

namespace SparseDictionary.Cli;

/// <summary>
/// What a command runs against: the standard streams, whether standard error is a terminal (for progress bars), the
/// cancellation of Ctrl+C, and the <c>--verbose</c> flag once the command line is parsed. Tests pass string writers.
/// </summary>
internal sealed class CliContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="output">Standard output: results only (tables, paths), so they can be piped.</param>
    /// <param name="error">Standard error: progress, notes and errors.</param>
    /// <param name="errorIsTerminal">Whether <paramref name="error"/> is a terminal, where a progress bar may redraw in place.</param>
    /// <param name="cancellation">Cancelled when the user interrupts the command.</param>
    public CliContext(TextWriter output, TextWriter error, bool errorIsTerminal = false, CancellationToken cancellation = default)
    {
        Output = output ?? throw new ArgumentNullException(nameof(output));
        Error = error ?? throw new ArgumentNullException(nameof(error));
        ErrorIsTerminal = errorIsTerminal;
        Cancellation = cancellation;
    }

    /// <summary>Gets standard output.</summary>
    public TextWriter Output { get; }

    /// <summary>Gets standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Gets whether standard error is a terminal.</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>Gets the token cancelled by Ctrl+C.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Gets whether <c>--verbose</c> was given; set by <see cref="CliApp"/> after parsing.</summary>
    public bool Verbose { get; internal set; }

    /// <summary>Writes a note to standard error (progress and diagnostics never go to standard output).</summary>
    public void Note(string message) => Error.WriteLine(message);

    /// <summary>Writes a note to standard error only with <c>--verbose</c>.</summary>
    public void Detail(string message)
    {
        if (Verbose) Error.WriteLine(message);
    }

    /// <summary>
    /// Creates a progress bar on standard error that also stops the work when the user cancels: a report after Ctrl+C
    /// throws <see cref="OperationCanceledException"/> from inside the work's loop.
    /// </summary>
    /// <typeparam name="T">What the work reports.</typeparam>
    /// <param name="label">The text before the bar.</param>
    /// <param name="total">The units at completion, if known.</param>
    /// <param name="unit">The name of a unit.</param>
    /// <param name="position">The units done, from a report.</param>
    public ConsoleProgressBar<T> Progress<T>(string label, long? total, string unit, Func<T, long> position) =>
        new(Error, position, new ConsoleProgressOptions { Label = label, Total = total, Unit = unit, Interactive = ErrorIsTerminal },
            cancellation: Cancellation);
}
