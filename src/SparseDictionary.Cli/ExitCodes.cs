namespace SparseDictionary.Cli;

/// <summary>The process exit codes of <c>sdict</c>; <see cref="ErrorReporter"/> maps exceptions to them.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>A bug: an exception the tool did not expect.</summary>
    public const int InternalError = 1;

    /// <summary>The command line is wrong: an unknown or missing option, a value that does not parse or is out of range.</summary>
    public const int Usage = 2;

    /// <summary>A file or folder named on the command line does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>A file exists but is not what it should be: a malformed model, SAE, corpus or cache.</summary>
    public const int InvalidInput = 4;

    /// <summary>The inputs are valid alone but do not fit together: the SAE's d_in is not the model's width, a layer the model lacks.</summary>
    public const int Incompatible = 5;

    /// <summary>Reading or writing failed: permissions, a full disk, a folder in the way.</summary>
    public const int IoError = 6;

    /// <summary>The machine cannot do it: LibTorch does not load, CUDA is not available.</summary>
    public const int Environment = 7;

    /// <summary>The user interrupted the command (Ctrl+C); 128 + SIGINT, as shells report it.</summary>
    public const int Cancelled = 130;
}
