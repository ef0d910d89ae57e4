using System.Text.Json;

namespace SparseDictionary.Cli.Tests;

/// <summary>The mapping of exceptions to exit codes, and the one-line rule.</summary>
public sealed class ErrorReporterTests
{
    public static TheoryData<Exception, int> Cases => new()
    {
        { CliException.Incompatible("widths differ"), ExitCodes.Incompatible },
        { new FileNotFoundException("Could not find file 'x'."), ExitCodes.NotFound },
        { new DirectoryNotFoundException("Could not find a part of the path 'y'."), ExitCodes.NotFound },
        { new InvalidDataException("bad header"), ExitCodes.InvalidInput },
        { new JsonException("bad json"), ExitCodes.InvalidInput },
        { new ArgumentOutOfRangeException("BatchSize", 0, "BatchSize must be positive."), ExitCodes.Usage },
        { new ArgumentNullException("model"), ExitCodes.InternalError },
        { new UnauthorizedAccessException("denied"), ExitCodes.IoError },
        { new IOException("disk full"), ExitCodes.IoError },
        { new OperationCanceledException(), ExitCodes.Cancelled },
        { new NotSupportedException("This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64"), ExitCodes.Environment },
        { new InvalidOperationException("a bug"), ExitCodes.InternalError },
        { new AggregateException(new FileNotFoundException("gone")), ExitCodes.NotFound },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_exception_type_has_its_exit_code_and_one_line(Exception error, int exitCode)
    {
        var stderr = new StringWriter();
        Assert.Equal(exitCode, ErrorReporter.Report(error, stderr, verbose: false));
        string text = stderr.ToString();
        Assert.StartsWith("error: ", text);
        Assert.Equal(1, text.Count(c => c == '\n'));
    }

    [Fact]
    public void A_multi_line_message_is_folded_into_one_line()
    {
        var stderr = new StringWriter();
        ErrorReporter.Report(new IOException("the cache is complete;\n  read it"), stderr, verbose: false);
        Assert.Equal(1, stderr.ToString().Count(c => c == '\n'));
        Assert.DoesNotContain("  ", stderr.ToString());
    }

    [Fact]
    public void An_unexpected_exception_names_its_type_and_points_to_verbose()
    {
        (int code, string message) = ErrorReporter.Classify(new InvalidOperationException("a bug"));
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.Equal("unexpected InvalidOperationException: a bug (run with --verbose for the stack trace)", message);
    }
}
