using System.Text.Json;
using SparseDictionary.Activations;
using SparseDictionary.Formats;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;
using SparseDictionary.Training;

namespace SparseDictionary.Cli;

/// <summary>
/// The one place where exceptions become exit codes and messages: every error is one line on standard error, and the stack
/// trace follows only with <c>--verbose</c>.
/// </summary>
internal static class ErrorReporter
{
    /// <summary>Classifies <paramref name="error"/>: the exit code and the one-line message to show.</summary>
    public static (int ExitCode, string Message) Classify(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is AggregateException { InnerExceptions.Count: 1 } aggregate) return Classify(aggregate.InnerExceptions[0]);
        return error switch
        {
            CliException e => (e.ExitCode, e.Message),
            OperationCanceledException => (ExitCodes.Cancelled, "cancelled."),
            FileNotFoundException or DirectoryNotFoundException => (ExitCodes.NotFound, error.Message),
            FileFormatException or JsonException or InvalidDataException or TrainingDivergedException => (ExitCodes.InvalidInput, error.Message),
            // A null argument is a bug in the tool, not something the user typed.
            ArgumentNullException => Unexpected(error),
            ArgumentException => (ExitCodes.Usage, error.Message),
            UnauthorizedAccessException or IOException => (ExitCodes.IoError, error.Message),
            // TorchSharp reports a native library that does not load as NotSupportedException naming the backend package.
            NotSupportedException or DllNotFoundException or TypeInitializationException when IsNativeLoadFailure(error) =>
                (ExitCodes.Environment, $"LibTorch could not be loaded: {Innermost(error).Message} Run 'sdict env --verbose' for details."),
            _ => Unexpected(error),
        };
    }

    /// <summary>Writes <paramref name="error"/> to <paramref name="stderr"/> and returns its exit code.</summary>
    /// <param name="error">The exception.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="verbose">Whether to follow the line with the full exception and stack trace.</param>
    public static int Report(Exception error, TextWriter stderr, bool verbose)
    {
        (int code, string message) = Classify(error);
        stderr.WriteLine($"error: {OneLine(message)}");
        if (verbose)
        {
            stderr.WriteLine(error.ToString());
        }
        return code;
    }

    /// <summary>Collapses line breaks and runs of white space, so a message is one line whatever its source wrote.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static (int, string) Unexpected(Exception error) =>
        (ExitCodes.InternalError, $"unexpected {error.GetType().Name}: {error.Message} (run with --verbose for the stack trace)");

    private static bool IsNativeLoadFailure(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is DllNotFoundException || e.Message.Contains("libtorch", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null) error = error.InnerException;
        return error;
    }
}
