using TorchSharp;
namespace SparseDictionary.Tests;
public class SmokeTest { [Xunit.Fact] public void Loads() { var t = torch.ones(3); Xunit.Assert.Equal(3f, t.sum().item<float>()); } }
