rule(require "floor"(2))
