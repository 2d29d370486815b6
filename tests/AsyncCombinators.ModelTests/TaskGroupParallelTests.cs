using System.Collections.Concurrent;
using AsyncCombinators.ModelTests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// TaskGroup.Run (of a child that completes, faults, or waits for its token), Cancel and DisposeAsync called from
/// several threads at once, checked for linearizability with CsCheck's parallel model-based testing against a
/// sequential model of the group: which Run calls throw InvalidOperationException, and how leaving the group ends
/// once every child still waiting is let go (every child failure in the AggregateException, the group's own
/// cancellations left out, nothing still running). Children that complete or fault at once are run before the racing
/// calls, not among them: Run admits a child before the child runs and ends, so a Run racing one whose child faults at
/// once may be admitted, and a DisposeAsync racing one whose child completes at once finishes only after that child,
/// admitting the Runs made meanwhile. No order of atomic calls explains either, and the contract allows both: it
/// rejects only a Run made after a failure or after DisposeAsync has finished.
/// </summary>
public sealed class TaskGroupParallelTests
{
    private readonly ITestOutputHelper _output;

    public TaskGroupParallelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void TaskGroup_RunCancelDisposeRacing_Linearizable()
    {
        using var unobserved = new UnobservedWatch();
        ModelProperty.OffContext(() => Check.SampleParallel(
            Gen.Select(Gen.Bool, Gen.Frequency((4, Gen.Const(false)), (1, Gen.Const(true))), Gen.Bool, (asyncContinuations, failed, value) => (new GroupActual(asyncContinuations, failed, value), new GroupModel(failed, value))),
            new[]
            {
                Gen.Long.Operation<GroupActual, GroupModel>(id => $"RunWait({id})", (a, id) => a.Run(id, ChildKind.WaitForToken), (m, id) => m.Run(id, ChildKind.WaitForToken)),
                Gen.Operation<GroupActual, GroupModel>("Cancel", a => a.Group.Cancel(), m => m.Cancel()),
                Gen.Operation<GroupActual, GroupModel>("DisposeAsync", a => a.Dispose(), m => m.Dispose()),
            },
            (actual, model) => actual.Settle() == model.Settle(),
            seed: ModelSettings.Seed,
            maxSequentialOperations: 4,
            maxParallelOperations: 4,
            iter: ModelSettings.Iterations(0.1),
            threads: 1,
            printActual: a => a.Settle(),
            printModel: m => m.Settle(),
            writeLine: _output.WriteLine));
        unobserved.AssertNoneSeen();
    }

    internal enum ChildKind
    {
        Value,
        Fault,
        WaitForToken,
    }

    /// <summary>The group under test, the answer each Run gave, and the children that wait for their token.</summary>
    internal sealed class GroupActual
    {
        private readonly bool _asyncContinuations;
        private readonly ConcurrentQueue<KeyValuePair<long, string>> _answers = new();
        private readonly ConcurrentDictionary<Exception, long> _faults = new();
        private readonly ConcurrentQueue<TaskCompletionSource<int>> _waiting = new();
        private readonly ConcurrentQueue<Task> _children = new();
        private Task? _disposal;
        private string? _settled;

        public GroupActual(bool asyncContinuations, bool failed, bool value)
        {
            _asyncContinuations = asyncContinuations;
            if (value)
            {
                Run(ValueChild, ChildKind.Value);
            }

            if (failed)
            {
                Run(FailedChild, ChildKind.Fault);
            }
        }

        public TaskGroup Group { get; } = new();

        public void Run(long id, ChildKind kind)
        {
            try
            {
                Task<int> child = Group.Run(ct =>
                {
                    switch (kind)
                    {
                        case ChildKind.Value:
                            return Task.FromResult(1);
                        case ChildKind.Fault:
                            var fault = new ScenarioException(true, $"TaskGroup child {id}");
                            _faults[fault] = id;
                            return Task.FromException<int>(fault);
                        default:
                            var source = new TaskCompletionSource<int>(_asyncContinuations ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None);
                            ct.Register(static s => ((TaskCompletionSource<int>)s!).TrySetCanceled(), source);
                            _waiting.Enqueue(source);
                            return source.Task;
                    }
                });
                _children.Enqueue(child);
                _answers.Enqueue(new(id, "ok"));
            }
            catch (InvalidOperationException)
            {
                _answers.Enqueue(new(id, "rejected"));
            }
        }

        public void Dispose()
        {
            Task disposal = Group.DisposeAsync().AsTask();
            Interlocked.CompareExchange(ref _disposal, disposal, null);
        }

        /// <summary>Lets every waiting child end with a value, leaves the group, and describes what happened.</summary>
        public string Settle()
        {
            if (_settled is not null)
            {
                return _settled;
            }

            foreach (TaskCompletionSource<int> source in _waiting)
            {
                source.TrySetResult(2);
            }

            Dispose();
            if (!((IAsyncResult)_disposal!).AsyncWaitHandle.WaitOne(ModelSettings.HangTimeout))
            {
                throw new ModelDivergenceException($"Hang guard: leaving the group did not complete within {ModelSettings.HangTimeout.TotalSeconds} s");
            }

            string outcome = _disposal!.Status switch
            {
                TaskStatus.RanToCompletion => "ok",
                TaskStatus.Canceled => "canceled",
                _ => _disposal.Exception!.InnerException is AggregateException aggregate
                    ? "fail:" + string.Join(",", aggregate.InnerExceptions.Select(e => _faults.TryGetValue(e, out long id) ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : e.GetType().Name).Order())
                    : "fault:" + _disposal.Exception.InnerException!.GetType().Name,
            };
            int running = _children.Count(c => !c.IsCompleted);
            _settled = Describe(_answers, outcome, running);
            return _settled;
        }
    }

    /// <summary>The sequential model: whether the group accepts Run, how many children wait for the token, the failures.</summary>
    internal sealed class GroupModel
    {
        private readonly List<KeyValuePair<long, string>> _answers = new();
        private readonly List<long> _failures = new();
        private bool _canceled;
        private bool _disposing;
        private bool _finished;
        private int _waiting;

        public GroupModel(bool failed, bool value)
        {
            if (value)
            {
                Run(ValueChild, ChildKind.Value);
            }

            if (failed)
            {
                Run(FailedChild, ChildKind.Fault);
            }
        }

        private bool Accepts => !_finished && !_canceled && _failures.Count == 0;

        public void Run(long id, ChildKind kind)
        {
            if (!Accepts)
            {
                _answers.Add(new(id, "rejected"));
                return;
            }

            _answers.Add(new(id, "ok"));
            if (kind == ChildKind.Fault)
            {
                _failures.Add(id);
                CancelChildren();
            }
            else if (kind == ChildKind.WaitForToken)
            {
                _waiting++;
            }
        }

        public void Cancel()
        {
            _canceled = true;
            CancelChildren();
        }

        public void Dispose()
        {
            _disposing = true;
            _finished |= _waiting == 0;
        }

        public string Settle() =>
            Describe(_answers, _failures.Count == 0 ? "ok" : "fail:" + string.Join(",", _failures.Select(f => f.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order()), 0);

        private void CancelChildren()
        {
            // The children waiting for the token end canceled by the group: not failures.
            _waiting = 0;
            _finished |= _disposing;
        }
    }

    /// <summary>The id of the child that has failed before the racing calls, in the groups generated with one.</summary>
    private const long FailedChild = -1;

    /// <summary>The id of the child that has completed with a value before the racing calls.</summary>
    private const long ValueChild = -2;

    /// <summary>Describes the answers as a multiset: two Runs may share an id, and racing ones record in any order.</summary>
    private static string Describe(IEnumerable<KeyValuePair<long, string>> answers, string outcome, int running) =>
        $"runs=[{string.Join(",", answers.OrderBy(a => a.Key).ThenBy(a => a.Value, StringComparer.Ordinal).Select(a => $"{a.Key}:{a.Value}"))}] outcome={outcome} running={running}";
}
