using SparseDictionary.Cli;

namespace SparseDictionary.Cli.Tests;

/// <summary>One in-process run of <c>sdict</c>: its exit code and what it wrote to each stream.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>The lines written to standard error.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs the command line with string writers for standard output and error.</summary>
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, new CliContext(output, error));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Fails with both streams unless the run succeeded.</summary>
    public CliRun Succeeded()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}");
        return this;
    }
}
