namespace SparseDictionary.Plots;

/// <summary>Which way is better on each axis when computing a Pareto frontier.</summary>
public enum FrontierDirection
{
    /// <summary>Smaller X and larger Y are better (e.g. L0 against fraction of loss recovered).</summary>
    MinimiseXMaximiseY,

    /// <summary>Smaller X and smaller Y are better (e.g. L0 against reconstruction MSE).</summary>
    MinimiseXMinimiseY,
}
