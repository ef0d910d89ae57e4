using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Evaluation;
using SparseDictionary.Formats;
using SparseDictionary.Training;
using TorchSharp;

torch.Tensor activations = torch.randn(65_536, 512); // your [tokens, d_in] residual-stream activations
var gated = new GatedSpec { L1Coefficient = 5 }; // the architecture and its parameters (λ, the paper's full loss)
using var sae = gated.CreateSae(dIn: 512, dSae: 4096, device: torch.CPU, dtype: torch.ScalarType.Float32);
using var source = new InMemoryActivationSource(activations);
var options = new TrainerOptions // the run
{
    TotalSteps = 20_000, BatchSize = 4096, LearningRate = 4e-4, WarmupSteps = 1_000,
    Resampling = new ResamplingOptions(IntervalSteps: 5_000),
};
TrainingResult result = new SaeTrainer(sae, gated, options).Train(source);
SaeLensFolder.Save(sae, "out/my-sae", new SaeLensMetadata { ModelName = "llama-2-7b", HookName = "blocks.16.hook_resid_post" });
