// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Settlement} from "./Settlement.sol";
import {LedgerBase} from "./LedgerBase.sol";

/// @title AttributionLedger: the deployable ledger (Datanet registry + staking/challenges + attribution
/// log + paginated settlement). The deployer is the owner; roles are granted explicitly.
contract AttributionLedger is Settlement {
    constructor(address treasury_, Params memory params_) LedgerBase(treasury_, params_) {}

    /// Plain transfers are refused so every wei in the contract is accounted for by a pool, stake, bond
    /// or credit.
    receive() external payable {
        revert ZeroValue();
    }
}
