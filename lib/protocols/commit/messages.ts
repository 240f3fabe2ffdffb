/** Messages of the atomic-commitment protocols (discriminated unions on `type`). @module */

/** A transaction's outcome. */
export type Outcome = "commit" | "abort";
/** A participant's state in 3PC (Skeen): q initial, w waiting (voted yes), p pre-committed, c, a. */
export type ThreePcState = "q" | "w" | "p" | "c" | "a";

/** Coordinator → participant: vote on the transaction (phase 1). */
export interface Prepare {
  /** Message kind. */
  readonly type: "prepare";
}
/** Participant → coordinator: its vote. */
export interface Vote {
  /** Message kind. */
  readonly type: "vote";
  /** yes: prepared, bound to obey the outcome; no: aborted unilaterally. */
  readonly vote: "yes" | "no";
}
/** The outcome (phase 2 of 2PC, phase 3 of 3PC, or an answer to a request). */
export interface Decision {
  /** Message kind. */
  readonly type: "decision";
  /** Commit or abort. */
  readonly outcome: Outcome;
}
/** Participant → coordinator: the outcome was applied. */
export interface Ack {
  /** Message kind. */
  readonly type: "ack";
}
/** 2PC: an in-doubt participant asks for the outcome. */
export interface DecisionRequest {
  /** Message kind. */
  readonly type: "decision-request";
}
/** 2PC cooperative termination: "I voted no" (so the outcome must be abort) or "I don't know". */
export interface DecisionUnknown {
  /** Message kind. */
  readonly type: "decision-unknown";
}
/** Every 2PC message. */
export type TwoPcMessage = Prepare | Vote | Decision | Ack | DecisionRequest | DecisionUnknown;

/** 3PC: coordinator → participant: everyone voted yes (the "prepare to commit" phase). */
export interface PreCommit {
  /** Message kind. */
  readonly type: "pre-commit";
}
/** 3PC: participant → (recovery) coordinator: pre-commit received. */
export interface PreCommitAck {
  /** Message kind. */
  readonly type: "pre-commit-ack";
}
/** 3PC termination protocol: a recovery coordinator asks for each participant's state. */
export interface StateRequest {
  /** Message kind. */
  readonly type: "state-request";
}
/** 3PC termination protocol: the answer. */
export interface StateReply {
  /** Message kind. */
  readonly type: "state-reply";
  /** The participant's state. */
  readonly state: ThreePcState;
}
/** 3PC failure detector: "I am alive". */
export interface Alive {
  /** Message kind. */
  readonly type: "alive";
}
/** Every 3PC message. */
export type ThreePcMessage =
  | Prepare
  | Vote
  | Decision
  | Ack
  | PreCommit
  | PreCommitAck
  | StateRequest
  | StateReply
  | Alive;

/** Paxos Commit: an RM's vote as a Paxos value. */
export type RmValue = "prepared" | "aborted";

/** Paxos Commit: the leader asks the RMs to prepare (BeginCommit). */
export interface PcBegin {
  /** Message kind. */
  readonly type: "pc-begin";
}
/** Paxos Commit phase 2a: RM (ballot 0) or a leader proposes a value for instance `rm`. */
export interface PcPhase2a {
  /** Message kind. */
  readonly type: "pc-2a";
  /** Ballot number (0 is the RM's own). */
  readonly ballot: number;
  /** The instance: whose vote this is. */
  readonly rm: string;
  /** The proposed value. */
  readonly value: RmValue;
}
/** Paxos Commit phase 2b: an acceptor accepted a value (sent to every leader). */
export interface PcPhase2b {
  /** Message kind. */
  readonly type: "pc-2b";
  /** Ballot number. */
  readonly ballot: number;
  /** The instance. */
  readonly rm: string;
  /** The accepted value. */
  readonly value: RmValue;
}
/** Paxos Commit phase 1a: a backup leader asks acceptors to promise a ballot for instance `rm`. */
export interface PcPhase1a {
  /** Message kind. */
  readonly type: "pc-1a";
  /** Ballot number (> 0). */
  readonly ballot: number;
  /** The instance. */
  readonly rm: string;
}
/** Paxos Commit phase 1b: the promise, with the acceptor's last accepted value. */
export interface PcPhase1b {
  /** Message kind. */
  readonly type: "pc-1b";
  /** The promised ballot. */
  readonly ballot: number;
  /** The instance. */
  readonly rm: string;
  /** The last accepted ballot and value, if any. */
  readonly accepted: { readonly ballot: number; readonly value: RmValue } | null;
}
/** Paxos Commit: the outcome, from a leader to the RMs and the other leaders. */
export interface PcOutcome {
  /** Message kind. */
  readonly type: "pc-outcome";
  /** Commit or abort. */
  readonly outcome: Outcome;
}
/** Paxos Commit: an RM still in doubt asks the leaders for the outcome (a lost PcOutcome). */
export interface PcInquire {
  /** Message kind. */
  readonly type: "pc-inquire";
}
/** Every Paxos Commit message. */
export type PaxosCommitMessage =
  | PcBegin
  | PcPhase2a
  | PcPhase2b
  | PcPhase1a
  | PcPhase1b
  | PcOutcome
  | PcInquire;
