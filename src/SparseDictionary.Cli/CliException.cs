namespace SparseDictionary.Cli;

/// <summary>A user error found by the tool itself, with the exit code it ends the process with and a one-line message.</summary>
internal sealed class CliException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="exitCode">One of <see cref="ExitCodes"/>.</param>
    /// <param name="message">One line that says what is wrong and, where it helps, what to do.</param>
    /// <param name="inner">The exception that revealed it, if any.</param>
    public CliException(int exitCode, string message, Exception? inner = null) : base(message, inner) => ExitCode = exitCode;

    /// <summary>Gets the exit code.</summary>
    public int ExitCode { get; }

    /// <summary>A file or folder named by <paramref name="option"/> does not exist.</summary>
    public static CliException NotFound(string option, string path, string what) =>
        new(ExitCodes.NotFound, $"{option}: {what} '{path}' does not exist.");

    /// <summary>An option's value is not acceptable.</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    /// <summary>Two inputs do not fit together.</summary>
    public static CliException Incompatible(string message) => new(ExitCodes.Incompatible, message);
}
