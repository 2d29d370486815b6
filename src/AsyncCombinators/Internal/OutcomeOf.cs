using System;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>How one kind of outcome (<see cref="Outcome{T}"/> or <see cref="Outcome"/>) is made from a task of its kind.</summary>
/// <typeparam name="TOutcome">The outcome type.</typeparam>
internal interface IOutcomeKind<TOutcome>
{
    /// <summary>The outcome that reads <paramref name="task"/> once it has completed (nothing is read now).</summary>
    TOutcome OfTask(Task task);

    /// <summary>The outcome of a completed task, with a fault read (and so observed) now.</summary>
    TOutcome FromCompletedTask(Task task);

    /// <summary>The task an outcome reads, if any.</summary>
    Task? TaskOf(in TOutcome outcome);
}

/// <summary>Typed outcomes, of <see cref="Task{TResult}"/>s.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal readonly struct TypedOutcomes<T> : IOutcomeKind<Outcome<T>>
{
    public Outcome<T> OfTask(Task task) => Outcome<T>.OfTask((Task<T>)task);

    public Outcome<T> FromCompletedTask(Task task) => Outcome<T>.FromCompletedTask((Task<T>)task);

    public Task? TaskOf(in Outcome<T> outcome) => outcome.SourceTask;
}

/// <summary>Untyped outcomes.</summary>
internal readonly struct UntypedOutcomes : IOutcomeKind<Outcome>
{
    public Outcome OfTask(Task task) => Outcome.OfTask(task);

    public Outcome FromCompletedTask(Task task) => Outcome.FromCompletedTask(task);

    public Task? TaskOf(in Outcome outcome) => outcome.SourceTask;
}

/// <summary>The items AsCompleted over operations yields.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal static class AsCompletedItem<T>
{
    public static readonly Func<int, Task, (int Index, Task<T> Task)> Typed = static (index, task) => (index, (Task<T>)task);
}

/// <summary>The items AsCompleted over untyped operations yields.</summary>
internal static class AsCompletedItem
{
    public static readonly Func<int, Task, (int Index, Task Task)> Untyped = static (index, task) => (index, task);
}

/// <summary>The items Map yields: a succeeded operation's result.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal static class MapItem<T>
{
    public static readonly Func<int, Task, T> Result = static (_, task) => ((Task<T>)task).Result;
}
