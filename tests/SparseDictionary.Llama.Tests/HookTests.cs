using Xunit;

namespace SparseDictionary.Llama.Tests;

public sealed class HookTests : IDisposable
{
    private readonly LlamaModel _model = Llama2cCheckpoint.Load(Fixtures.Stories260K);
    private readonly torch.Tensor _tokens = torch.tensor(Fixtures.OnceUponATime).view(1, -1);

    public void Dispose()
    {
        _tokens.Dispose();
        _model.Dispose();
    }

    [Fact]
    public void ReplacingResidualPostWithZeros_ChangesTheLogits_AndIdentityDoesNot()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var point = new HookPoint(2, HookSite.ResidualPost);
        torch.Tensor clean = _model.forward(_tokens);

        using var zeroed = _model.Forward(_tokens, options: new LlamaForwardOptions
        {
            Replace = new Dictionary<HookPoint, Func<torch.Tensor, torch.Tensor>> { [point] = x => torch.zeros_like(x) },
            Capture = [point, new HookPoint(3, HookSite.ResidualPre)],
        });
        using var identity = _model.Forward(_tokens, options: new LlamaForwardOptions
        {
            Replace = new Dictionary<HookPoint, Func<torch.Tensor, torch.Tensor>> { [point] = x => x },
        });

        Assert.True(TensorAssert.MaxAbsDiff(clean, zeroed.Logits!) > 0.1);
        Assert.Equal(0, TensorAssert.MaxAbsDiff(clean, identity.Logits!));
        // A capture sees the value the rest of the pass sees: the replacement, here and downstream.
        Assert.Equal(0, zeroed.Captured[point].abs().max().ToDouble());
        Assert.Equal(0, zeroed.Captured[new HookPoint(3, HookSite.ResidualPre)].abs().max().ToDouble());
    }

    [Fact]
    public void ReplacementOnEverySite_RunsOnceWithTheSiteValue()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var seen = new List<HookPoint>();
        var replace = new Dictionary<HookPoint, Func<torch.Tensor, torch.Tensor>>();
        foreach (HookSite site in Enum.GetValues<HookSite>())
        {
            var point = new HookPoint(1, site);
            replace[point] = x =>
            {
                Assert.Equal([1, 5, 64], x.shape);
                seen.Add(point);
                return x;
            };
        }

        using var result = _model.Forward(_tokens, options: new LlamaForwardOptions { Replace = replace });

        Assert.Equal(Enum.GetValues<HookSite>().Select(s => new HookPoint(1, s)), seen);
    }

    [Fact]
    public void AttentionAndMlpOutputs_AddUpToTheResiduals()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        HookPoint[] points = Enum.GetValues<HookSite>().Select(s => new HookPoint(3, s)).ToArray();

        using var result = _model.Forward(_tokens, options: new LlamaForwardOptions { Capture = points });

        var c = result.Captured;
        Assert.Equal(0, TensorAssert.MaxAbsDiff(c[points[0]] + c[points[1]], c[points[2]]));
        Assert.Equal(0, TensorAssert.MaxAbsDiff(c[points[2]] + c[points[3]], c[points[4]]));
    }

    [Fact]
    public void EarlyExit_ReturnsNoLogitsAndTheSameCaptures()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        HookPoint[] points = [new(1, HookSite.ResidualPost), new(2, HookSite.MlpOut), new(0, HookSite.AttentionOut)];

        using var full = _model.Forward(_tokens, options: new LlamaForwardOptions { Capture = points });
        int deepestSiteCalls = 0;
        using var early = _model.Forward(_tokens, options: new LlamaForwardOptions
        {
            Capture = points,
            StopAfterLastCapture = true,
            // Reached, so it runs; nothing after blocks.2.hook_mlp_out runs.
            Replace = new Dictionary<HookPoint, Func<torch.Tensor, torch.Tensor>> { [new(2, HookSite.MlpOut)] = x => { deepestSiteCalls++; return x; } },
        });

        Assert.NotNull(full.Logits);
        Assert.Null(early.Logits);
        Assert.Equal(1, deepestSiteCalls);
        Assert.Equal(points.Order(), early.Captured.Keys.Order());
        foreach (HookPoint point in points)
        {
            Assert.Equal(0, TensorAssert.MaxAbsDiff(full.Captured[point], early.Captured[point]));
        }
    }

    [Theory]
    [InlineData(4, HookSite.ResidualPost)]
    [InlineData(1, HookSite.ResidualPost)]
    [InlineData(2, HookSite.ResidualPre)]
    public void EarlyExit_AtABlockBoundary_SkipsEverythingAfter(int layer, HookSite site)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var point = new HookPoint(layer, site);
        var reached = new List<HookPoint>();
        var watch = Enumerable.Range(0, 5).SelectMany(l => Enum.GetValues<HookSite>().Select(s => new HookPoint(l, s)))
            .Where(p => p <= point)
            .ToDictionary(p => p, p => (Func<torch.Tensor, torch.Tensor>)(x => { reached.Add(p); return x; }));

        using var early = _model.Forward(_tokens, options: new LlamaForwardOptions { Capture = [point], Replace = watch, StopAfterLastCapture = true });

        Assert.Null(early.Logits);
        Assert.Equal(point, reached[^1]);
        Assert.Equal(watch.Keys.Order(), reached);
        var reference = ReferenceDump.Read(Fixtures.Stories260KReference);
        torch.Tensor expected = site == HookSite.ResidualPost ? reference.ResidPostOf(layer) : reference.ResidPostOf(layer - 1);
        TensorAssert.Close(expected, early.Captured[point], 1e-4, point.Name);
    }

    [Fact]
    public void InvalidOptions_AreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var identity = new Dictionary<HookPoint, Func<torch.Tensor, torch.Tensor>> { [new(3, HookSite.ResidualPre)] = x => x };

        Assert.Throws<ArgumentException>(() => _model.Forward(_tokens, options: new LlamaForwardOptions { Capture = [new(5, HookSite.ResidualPre)] }));
        Assert.Throws<ArgumentException>(() => _model.Forward(_tokens, options: new LlamaForwardOptions { StopAfterLastCapture = true }));
        Assert.Throws<ArgumentException>(() => _model.Forward(_tokens, options: new LlamaForwardOptions
        {
            Capture = [new(2, HookSite.ResidualPost)],
            Replace = identity,
            StopAfterLastCapture = true,
        }));
        Assert.Throws<InvalidOperationException>(() => _model.Forward(_tokens, options: new LlamaForwardOptions
        {
            Replace = new Dictionary<HookPoint, Func<torch.Tensor, torch.Tensor>> { [new(0, HookSite.MlpOut)] = x => x[.., 1..] },
        }));
    }

    [Fact]
    public void Replacement_InAnotherDType_IsCastToTheModels()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var point = new HookPoint(0, HookSite.ResidualPost);

        using var result = _model.Forward(_tokens, options: new LlamaForwardOptions
        {
            Replace = new Dictionary<HookPoint, Func<torch.Tensor, torch.Tensor>> { [point] = x => x.to(torch.ScalarType.Float64) },
            Capture = [point],
        });

        Assert.Equal(torch.ScalarType.Float32, result.Captured[point].dtype);
        Assert.Equal(0, TensorAssert.MaxAbsDiff(_model.forward(_tokens), result.Logits!));
    }

    [Fact]
    public void GradientsFlowThroughTheFrozenModel_ToAReplacement()
    {
        using var scope = torch.NewDisposeScope();
        // A trainable offset spliced into the residual stream, as an SAE reconstruction would be.
        torch.Tensor offset = torch.zeros(64, requires_grad: true);
        var point = new HookPoint(2, HookSite.ResidualPost);

        using var result = _model.Forward(_tokens, options: new LlamaForwardOptions
        {
            Replace = new Dictionary<HookPoint, Func<torch.Tensor, torch.Tensor>> { [point] = x => x + offset },
        });
        result.Logits!.logsumexp(-1).sum().backward();

        Assert.NotNull(offset.grad);
        Assert.True(offset.grad!.abs().sum().ToDouble() > 0);
        Assert.All(_model.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void Results_AreOwnedByTheCallersScope()
    {
        torch.Tensor logits, captured;
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var result = _model.Forward(_tokens, options: new LlamaForwardOptions { Capture = [new(4, HookSite.ResidualPost)] });
            logits = result.Logits!;
            captured = result.Captured[new(4, HookSite.ResidualPost)];
            Assert.False(logits.IsInvalid);
            Assert.False(captured.IsInvalid);
        }
        Assert.True(logits.IsInvalid);
        Assert.True(captured.IsInvalid);
    }
}
