using System.CommandLine;
using CnnSentinel.Cli;

var root = new RootCommand("CnnSentinel: CNN land-use classification of Sentinel-2 imagery (EuroSAT) with TorchSharp.")
{
    DoctorCommand.Create(),
    NotebooksCommand.Create(),
    DownloadCommand.Create(),
    SplitCommand.Create(),
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    ExportCommand.Create(),
    ServeCommand.Create(),
    ResultsCommand.Create(),
    ClassifyCommand.Create(),
    AssessCommand.Create(),
};
return root.Parse(args).Invoke();
