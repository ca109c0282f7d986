/// <reference types="@raycast/api">

/* 🚧 🚧 🚧
 * This file is auto-generated from the extension's manifest.
 * Do not modify manually. Instead, update the `package.json` file.
 * 🚧 🚧 🚧 */

/* eslint-disable @typescript-eslint/ban-types */

type ExtensionPreferences = {
  /** Config File - The S3 Smart Sync config file listing your targets. */
  "configPath": string,
  /** AWS CLI - Path of the aws binary. Leave empty to look in /opt/homebrew/bin, /usr/local/bin and PATH. */
  "awsCliPath"?: string,
  /** Default AWS Profile - AWS profile for targets that do not name one in the config. Leave empty for the default credentials. */
  "awsProfile"?: string
}

/** Preferences accessible in all the extension's commands */
declare type Preferences = ExtensionPreferences

declare namespace Preferences {
  /** Preferences accessible in the `sync-all-targets` command */
  export type SyncAllTargets = ExtensionPreferences & {}
  /** Preferences accessible in the `menu-bar` command */
  export type MenuBar = ExtensionPreferences & {}
  /** Preferences accessible in the `scheduled-sync` command */
  export type ScheduledSync = ExtensionPreferences & {}
  /** Preferences accessible in the `preview-moves` command */
  export type PreviewMoves = ExtensionPreferences & {}
  /** Preferences accessible in the `status` command */
  export type Status = ExtensionPreferences & {}
  /** Preferences accessible in the `edit-config` command */
  export type EditConfig = ExtensionPreferences & {}
}

declare namespace Arguments {
  /** Arguments passed to the `sync-all-targets` command */
  export type SyncAllTargets = {}
  /** Arguments passed to the `menu-bar` command */
  export type MenuBar = {}
  /** Arguments passed to the `scheduled-sync` command */
  export type ScheduledSync = {}
  /** Arguments passed to the `preview-moves` command */
  export type PreviewMoves = {}
  /** Arguments passed to the `status` command */
  export type Status = {}
  /** Arguments passed to the `edit-config` command */
  export type EditConfig = {}
}

