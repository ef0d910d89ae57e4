namespace SparseDictionary.Experiments.Results;

/// <summary>The feature browser an experiment wrote for one layer: which SAE it shows and where it is.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="HookPoint">The hook point's name.</param>
/// <param name="RunName">The run whose SAE the browser shows (see <see cref="Seed.BrowserSelection"/>).</param>
/// <param name="IndexPath">The site's <c>index.html</c>, relative to the experiment's output folder, with <c>/</c> separators.</param>
/// <param name="Tokens">Held-out tokens the examples and statistics come from.</param>
public sealed record LayerBrowser(int Layer, string HookPoint, string RunName, string IndexPath, long Tokens);
